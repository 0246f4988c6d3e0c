"""Demo mentions: 18 months of multilingual conversation about Acme Outdoor and its rivals.

What a new user should see on the Listening page: three brands with different volumes, weekly
rhythm (quieter weekends), campaign bumps, mentions in English, Spanish, German and French plus
a few in Persian (a language the workspace does not list, so it shows as undetermined), tagged
(@handle, #hashtag) and untagged mentions, and a crisis in the demo's "bad week": leaking rain
jackets, several times the usual volume of Acme mentions and most of them negative. The texts
are generated here; language, sentiment and brand matching come from the real pipeline
(``ListeningService.ingest`` in auto mode), so the demo shows what the product does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from socialpulse.domain.actor import Actor
from socialpulse.domain.listening.mention import RawMention
from socialpulse.domain.models import Workspace
from socialpulse.services import demo_data
from socialpulse.services.listening import ListeningService

QUERIES = {
    demo_data.OWN_BRAND: '("acme outdoor" OR acmeoutdoor OR @acmeoutdoor OR @acmecare '
                         'OR #acmeoutdoor) NOT "acme corporation"',
    "Summit Gear": '"summit gear" OR summitgear OR @summitgear OR #summitgear',
    "TrailCo": 'trailco OR "trail co" OR @trailco OR #trailco',
}
FORMS = {
    demo_data.OWN_BRAND: ["Acme Outdoor", "Acme Outdoor", "@acmeoutdoor", "#AcmeOutdoor",
                          "@AcmeCare", "acme outdoor"],
    "Summit Gear": ["Summit Gear", "Summit Gear", "@summitgear", "#SummitGear"],
    "TrailCo": ["TrailCo", "TrailCo", "@trailco", "#TrailCo"],
}
DAILY = {demo_data.OWN_BRAND: 11.0, "Summit Gear": 8.0, "TrailCo": 5.0}
NETWORKS = ["x", "instagram", "tiktok", "facebook", "mastodon", "bluesky", "youtube"]
NETWORK_P = [0.34, 0.2, 0.14, 0.1, 0.1, 0.08, 0.04]
LANG_P = {"en": 0.5, "es": 0.22, "de": 0.14, "fr": 0.12, "fa": 0.02}
PRODUCTS = {
    "en": ["rain jacket", "tent", "backpack", "hiking boots", "sleeping bag"],
    "es": ["chaqueta", "tienda de campaña", "mochila", "botas", "saco de dormir"],
    "de": ["Regenjacke", "Zelt", "Rucksack", "Wanderschuhe", "Schlafsack"],
    "fr": ["veste de pluie", "tente", "sac à dos", "chaussures de rando", "sac de couchage"],
    "fa": ["کاپشن", "چادر", "کوله پشتی", "کفش کوه", "کیسه خواب"],
}
TEMPLATES: dict[str, dict[str, list[str]]] = {
    "en": {
        "positive": [
            "Love my new {product} from {brand}! Best purchase this year 😍",
            "{brand} customer service was amazing, replaced my {product} in two days. Thank you!",
            "Three days of rain in the Alps and the {brand} {product} kept me dry. Impressed!",
            "Honestly the best {product} I've owned. Great job {brand} 👏 #hiking",
            "So happy with the {brand} {product}, light and really comfortable",
        ],
        "neutral": [
            "Does anyone know if the {brand} {product} comes in a bigger size?",
            "Comparing the {brand} {product} with other brands before my trip to {place}",
            "{brand} opens a new store in Madrid next month",
            "Is the {brand} sale starting this week? Looking at a {product}",
            "Review of the {brand} {product} after 200 km on the trail, full video tonight",
        ],
        "negative": [
            "My {brand} {product} broke after two weeks. Really disappointed 😡",
            "Still waiting for my refund from {brand}, terrible support",
            "The {brand} {product} is way too expensive for what you get",
            "Worst {product} ever, {brand} please fix your quality control",
        ],
        "crisis": [
            "My brand new {brand} rain jacket is LEAKING. Soaked through in ten minutes. Awful 😡",
            "{brand} rain jackets leak at the seams, mine and my friend's. Want my money back!",
            "Avoid the {brand} rain jacket, the waterproofing failed on day one. Terrible",
            "Is anyone else's {brand} jacket leaking?? This is a joke, worst quality ever",
            "{brand} still no answer about the leaking jackets. Disgusting customer service",
        ],
    },
    "es": {
        "positive": [
            "¡Me encanta mi {product} de {brand}! La mejor compra del año 😍",
            "Gracias {brand}, el servicio al cliente fue genial y muy rápido",
            "Tres días de lluvia en los Picos y la {product} de {brand} perfecta. ¡Increíble!",
            "Muy contento con mi {product} de {brand}, ligera y cómoda",
        ],
        "neutral": [
            "¿Alguien sabe si la {product} de {brand} viene en talla grande?",
            "{brand} abre una tienda nueva en Barcelona el mes que viene",
            "Comparando la {product} de {brand} con otras marcas antes de ir a {place}",
        ],
        "negative": [
            "Mi {product} de {brand} se rompió a las dos semanas. Qué decepción 😡",
            "Sigo esperando el reembolso de {brand}, atención al cliente pésima",
            "La {product} de {brand} es carísima para lo que ofrece, no la recomiendo",
        ],
        "crisis": [
            "La chaqueta impermeable de {brand} deja pasar el agua. Empapado en diez minutos 😡",
            "Mi chaqueta de {brand} tiene goteras en las costuras. ¡Quiero mi dinero! Fatal",
            "No compréis la chaqueta de {brand}, horrible, se moja por dentro",
        ],
    },
    "de": {
        "positive": [
            "Ich liebe meine neue {product} von {brand}! Super Qualität 😍",
            "Danke {brand}, der Kundenservice war großartig und schnell",
            "Drei Tage Regen in den Alpen und die {product} von {brand} hat gehalten. Top!",
        ],
        "neutral": [
            "Gibt es die {product} von {brand} auch in größeren Größen?",
            "{brand} eröffnet nächsten Monat einen neuen Laden in München",
            "Vergleiche gerade die {product} von {brand} mit anderen Marken",
        ],
        "negative": [
            "Meine {product} von {brand} ist nach zwei Wochen kaputt. Sehr enttäuscht 😡",
            "Warte immer noch auf die Erstattung von {brand}, schlechter Service",
            "Die {product} von {brand} ist viel zu teuer für diese Qualität",
        ],
        "crisis": [
            "Meine neue Regenjacke von {brand} ist undicht. Nach zehn Minuten nass. Schrecklich 😡",
            "Die Jacken von {brand} lassen Wasser durch, totaler Mist. Ich will mein Geld zurück",
        ],
    },
    "fr": {
        "positive": [
            "J'adore ma nouvelle {product} {brand} ! Le meilleur achat de l'année 😍",
            "Merci {brand}, le service client était génial et rapide",
            "Trois jours de pluie dans les Pyrénées et ma {product} {brand} parfaite. Super !",
        ],
        "neutral": [
            "Quelqu'un sait si la {product} {brand} existe en grande taille ?",
            "{brand} ouvre un nouveau magasin à Lyon le mois prochain",
            "Je compare la {product} {brand} avec d'autres marques avant de partir",
        ],
        "negative": [
            "Ma {product} {brand} est cassée après deux semaines. Très déçu 😡",
            "Toujours pas de remboursement de {brand}, service client nul",
            "La {product} {brand} est beaucoup trop chère pour cette qualité",
        ],
        "crisis": [
            "Ma veste de pluie {brand} prend l'eau. Trempé en dix minutes. Nul 😡",
            "Les vestes {brand} fuient aux coutures, honteux. Je veux être remboursé",
        ],
    },
    "fa": {
        "positive": ["{product} {brand} واقعا عالی است، خیلی راضی هستم 😍",
                     "ممنون از {brand}، پشتیبانی خیلی خوب بود"],
        "neutral": ["کسی می‌داند {product} {brand} سایز بزرگ دارد؟"],
        "negative": ["{product} {brand} بعد از دو هفته خراب شد، خیلی ناراحتم 😡"],
        "crisis": ["کاپشن {brand} آب را رد می‌کند، افتضاح است 😡"],
    },
}
PLACES = ["the Pyrenees", "Picos de Europa", "the Dolomites", "Sierra Nevada", "the Alps"]
# sentiment mix per brand (positive, neutral, negative)
MIX = {demo_data.OWN_BRAND: (0.42, 0.38, 0.20), "Summit Gear": (0.36, 0.40, 0.24),
       "TrailCo": (0.30, 0.42, 0.28)}
CRISIS_FACTOR = 4.5
#: A press piece on the Repair Days campaign, inside the Overview's default period (the 90
#: days up to the last day), so a first start shows a recent alert: a volume spike of praise.
PRESS_DAYS_AGO = 35
PRESS_MENTIONS = 70
PRESS_SEED = 20_260_926
PRESS_TEXTS = {
    "en": ["{brand} Repair Days fixed my old {product} for free. This is how it should be!",
           "Read about the {brand} Repair Days, love that they repair instead of selling new"],
    "es": ["Repair Days de {brand}: reparación gratis de mi equipo ({product}). ¡Así se hace!"],
    "de": ["{brand} Repair Days: Ausrüstung ({product}) kostenlos repariert. Großartig!"],
    "fr": ["Repair Days de {brand} : réparation gratuite de mon équipement ({product}). Génial !"],
}
CRISIS_NEGATIVE = 0.7
SEED = 20_260_606
_HOURS = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 3.5, 3.5, 3.5, 4, 4, 3.5, 3.5, 3.5, 4,
                   4.5, 5, 5, 4, 3, 2], dtype=float)
_HOURS = _HOURS / _HOURS.sum()


def _authors(rng: np.random.Generator, n: int) -> list[tuple[str, int]]:
    first = ["ana", "marta", "jonas", "lea", "tom", "chloe", "pablo", "sara", "lukas", "emma",
             "hugo", "nina", "leo", "ines", "max", "zoe", "dario", "amir", "yasmin", "olga"]
    out = []
    for i in range(n):
        kind = ["hikes", "trails", "outdoors", "camps", "peaks"][i % 5]
        name = f"@{first[i % len(first)]}_{kind}{i}"
        followers = int(np.exp(rng.normal(6.0, 1.6)))
        out.append((name, followers))
    out[7] = ("@outdoor_weekly", 412_000)   # a big account that joins the crisis
    out[11] = ("@gearjunkie_es", 185_000)
    return out


def generate(until: date) -> Iterator[RawMention]:
    """The demo's mentions up to ``until`` (deterministic: same date, same mentions)."""
    rng = np.random.default_rng(SEED)
    evs = demo_data.events(until)
    bad = evs["bad-week"]
    campaigns = [evs[k] for k in ("spring-launch", "summer-trails", "black-friday", "repair-days")]
    tz = ZoneInfo(demo_data.DEMO_TZ)
    authors = _authors(rng, 900)
    lang_cum = np.cumsum(list(LANG_P.values()))
    net_cum = np.cumsum(NETWORK_P)
    hour_cum = np.cumsum(_HOURS)
    start = until - timedelta(days=demo_data.DAYS - 1)
    n = 0
    for i in range(demo_data.DAYS):
        day = start + timedelta(days=i)
        weekday = (1.1, 1.1, 1.05, 1.0, 1.0, 0.85, 0.8)[day.weekday()]
        growth = 0.8 + 0.4 * i / demo_data.DAYS
        for brand, base in DAILY.items():
            own = brand == demo_data.OWN_BRAND
            lam = base * weekday * growth
            in_campaign = own and any(c.start <= day <= c.end for c in campaigns)
            if in_campaign:
                lam *= 1.35
            crisis = own and bad.start <= day <= bad.end
            if crisis:
                lam *= CRISIS_FACTOR * (1.3 if day <= bad.start + timedelta(days=2) else 0.8)
            for _ in range(int(rng.poisson(lam))):
                n += 1
                text = _text(rng, brand, crisis, lang_cum)
                author, followers = authors[int(rng.zipf(1.6)) % len(authors)
                                            if crisis else int(rng.integers(len(authors)))]
                network = NETWORKS[min(int(np.searchsorted(net_cum, rng.random())), 6)]
                hour = min(int(np.searchsorted(hour_cum, rng.random())), 23)
                local = datetime.combine(day, time(hour, int(rng.integers(60))), tz)
                yield RawMention(
                    mention_id=f"demo:{day.isoformat()}:{n}",
                    network=network,
                    published_at=local.astimezone(UTC),
                    text=text,
                    author=author,
                    author_followers=followers,
                    lang="",  # left to the detector, as for most real sources
                    url=f"https://example.org/{network}/{n}",
                    where=f"demo mention {n}",
                )
    yield from _press_day(until, tz)


def _text(rng: np.random.Generator, brand: str, crisis: bool, lang_cum: np.ndarray) -> str:
    """One mention's text: a language, a sentiment (mostly negative in the crisis), a
    template filled in, sometimes a rival named. The draws keep their order: the same seed
    gives the same demo."""
    langs = list(LANG_P)
    lang = langs[min(int(np.searchsorted(lang_cum, rng.random())), len(langs) - 1)]
    if crisis and rng.random() < CRISIS_NEGATIVE:
        kind = "crisis"
    else:
        pos, neu, _neg = MIX[brand]
        r = rng.random()
        kind = "positive" if r < pos else "neutral" if r < pos + neu else "negative"
    options = TEMPLATES[lang][kind]
    text = str(options[int(rng.integers(len(options)))].format(
        brand=FORMS[brand][int(rng.integers(len(FORMS[brand])))],
        product=PRODUCTS[lang][int(rng.integers(len(PRODUCTS[lang])))],
        place=PLACES[int(rng.integers(len(PLACES)))],
    ))
    if rng.random() < 0.04:  # a comparison mentions a rival too
        rival = [b for b in DAILY if b != brand][int(rng.integers(2))]
        text += {"en": f" Better than {rival}?", "es": f" ¿Mejor que {rival}?",
                 "de": f" Besser als {rival}?", "fr": f" Mieux que {rival} ?",
                 "fa": f" بهتر از {rival}؟"}[lang]
    return text


def _press_day(until: date, tz: ZoneInfo) -> Iterator[RawMention]:
    """The Repair Days press day: praise on top of the usual mentions. A separate seed keeps
    every other demo mention as it was."""
    rng = np.random.default_rng(PRESS_SEED)
    day = until - timedelta(days=PRESS_DAYS_AGO)
    authors = _authors(rng, 300)
    langs = list(PRESS_TEXTS)
    brand = demo_data.OWN_BRAND
    for i in range(PRESS_MENTIONS):
        lang = langs[int(rng.integers(len(langs)))]
        options = PRESS_TEXTS[lang]
        text = options[int(rng.integers(len(options)))].format(
            brand=FORMS[brand][int(rng.integers(len(FORMS[brand])))],
            product=PRODUCTS[lang][int(rng.integers(len(PRODUCTS[lang])))])
        author, followers = authors[int(rng.integers(len(authors)))]
        network = NETWORKS[int(rng.integers(len(NETWORKS)))]
        local = datetime.combine(day, time(int(rng.integers(8, 22)), int(rng.integers(60))), tz)
        yield RawMention(mention_id=f"demo:{day.isoformat()}:press{i}", network=network,
                         published_at=local.astimezone(UTC), text=text, author=author,
                         author_followers=followers, lang="",
                         url=f"https://example.org/{network}/press{i}",
                         where=f"demo press mention {i + 1}")


def load_demo_mentions(listening: ListeningService, actor: Actor, workspace: Workspace,
                       until: date) -> tuple[int, int]:
    """Create the three brand queries and ingest the demo mentions through the real pipeline,
    as ``actor`` (who builds the demo); returns how many mentions and alerts it made."""
    for brand, query in QUERIES.items():
        listening.add_brand(actor, workspace, brand, own=brand == demo_data.OWN_BRAND,
                            query=query)
    # auto: the demo's ~14,000 mentions are over the accurate model's volume, so the fast
    # model labels them and the demo builds in seconds (docs/listening.md, "auto")
    summary = listening.ingest(actor, workspace, generate(until), mode="auto",
                               source_name=f"demo mentions until {until}", chunk=1_000_000,
                               fmt="demo")
    alerts = listening.detect_alerts(actor, workspace)
    return summary.rows, len(alerts)

"""Themes of the conversation: declarative keyword groups in the workspace's languages.

A theme is matched when a mention contains one of its keywords (whole folded words, ``*``
suffix wildcards). Keyword themes are transparent (a user can see why a mention is in a
theme) and work on a few mentions, where clustering would not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

THEMES: dict[str, tuple[str, ...]] = {
    "delivery": ("delivery", "shipping", "shipped", "parcel", "package", "courier", "envio*",
                 "entrega*", "paquete", "lieferung*", "versand*", "paket", "livraison*", "colis",
                 "ارسال", "تحویل"),
    "price": ("price*", "expensive", "cheap*", "discount*", "sale", "precio*", "caro", "barato",
              "descuento*", "preis*", "teuer", "billig*", "rabatt*", "prix", "cher", "promo*",
              "قیمت", "گران"),
    "quality": ("quality", "broke*", "broken", "durable", "defect*", "ripped", "leak*",
                "calidad", "roto", "rota", "qualitat", "kaputt", "defekt*", "qualite", "casse*",
                "کیفیت", "خراب"),
    "customer service": ("support", "service", "refund*", "return*", "help", "answer*",
                         "atencion", "reembolso*", "devolucion*", "kundenservice", "erstattung*",
                         "ruckgabe", "remboursement*", "sav", "پشتیبانی"),
    "safety": ("recall*", "unsafe", "danger*", "injur*", "retirada", "peligro*", "ruckruf*",
               "gefahr*", "rappel*", "dangereu*", "خطر"),
    "sustainability": ("sustainab*", "recycl*", "eco*", "green", "sostenib*", "reciclad*",
                       "nachhaltig*", "recycelt*", "durable*", "ecolog*", "بازیافت"),
    "product": ("jacket*", "tent*", "boot*", "backpack*", "chaqueta*", "tienda*", "botas",
                "mochila*", "jacke*", "zelt*", "stiefel*", "rucksack*", "veste*", "tente*",
                "chaussure*", "sac", "کوله*", "چادر"),
}


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[str, set[str], re.Pattern[str] | None]]:
    out = []
    for name, words in THEMES.items():
        exact = {w for w in words if not w.endswith("*")}
        prefixes = [re.escape(w[:-1]) for w in words if w.endswith("*")]
        rx = re.compile("(?:" + "|".join(prefixes) + r")\w*\Z") if prefixes else None
        out.append((name, exact, rx))
    return out


def themes_of(words: Iterable[str]) -> list[str]:
    """Theme names whose keywords occur among the folded words of a mention."""
    bare = {w.lstrip("#@") for w in words}
    found = []
    for name, exact, rx in _compiled():
        if bare & exact or (rx is not None and any(rx.match(w) for w in bare)):
            found.append(name)
    return found


STOPWORDS = frozenset("""
a an the and or but if of to in on at for from with by is are was were be been am it its this
that these those i you he she we they me my your our their his her them us not no so too very
just than then there here what when where who why how all any can could would should will do
does did done have has had get got just about into out up down over more most some such only own
same also as rt via amp http user s t don im ive its it's i'm
el la los las un una unos unas y o pero de del al en con por para es son fue ser que se lo le
les me mi mis tu su sus nos muy mas más ya como este esta esto eso ese no si sí hay todo
der die das ein eine einer und oder aber von zu im in mit für fur ist sind war nicht auch ich
du er sie wir ihr es den dem des auf aus bei so wie noch schon nur sehr mal
le la les un une des et ou mais de du au aux en avec pour par est sont pas ne je tu il elle
nous vous ils ce cette ces qui que sur dans plus tres très
و در به از که این را با برای آن است یک تا هم من ما شما او
""".split())  # noqa: SIM905 - a word list reads best as text

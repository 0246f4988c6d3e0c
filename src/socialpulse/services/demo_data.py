"""Deterministic generation of the demo workspace's data (no I/O: tables in, tables out).

The demo is what a new user sees first, so it has the shapes real programmes have: weekly
seasonality, campaigns, steady follower growth, one viral post, one bad week, a care account
with response times and CSAT, paid campaigns, and two competitors whose public counters are
visible but whose impressions are not. The same ``until`` date always gives the same data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from socialpulse.domain.models import Function, Network
from socialpulse.domain.platforms import PLATFORMS

DEMO_SLUG = "demo"
DEMO_NAME = "Acme Outdoor (demo)"
DEMO_TZ = "Europe/Madrid"
DEMO_LANGUAGES = ("en", "es", "de", "fr")
OWN_BRAND = "Acme Outdoor"
COMPETITORS = ("Summit Gear", "TrailCo")
DAYS = 548  # 18 months
SEED = 20_260_101

# which counters each network's export provides (None: the export lacks it)
PROVIDES: dict[Network, set[str]] = {
    Network.X: {"impressions", "engagements", "likes", "comments", "shares", "clicks",
                "video_views"},
    Network.FACEBOOK: {"impressions", "reach", "engagements", "likes", "comments", "shares",
                       "clicks", "video_views"},
    Network.INSTAGRAM: {"impressions", "reach", "engagements", "likes", "comments", "shares",
                        "saves", "video_views"},
    Network.LINKEDIN: {"impressions", "reach", "engagements", "likes", "comments", "shares",
                       "clicks"},
    Network.YOUTUBE: {"impressions", "engagements", "likes", "comments", "shares",
                      "video_views"},
    Network.TIKTOK: {"impressions", "reach", "engagements", "likes", "comments", "shares",
                     "saves", "video_views"},
}
PUBLIC_ONLY = {"engagements", "likes", "comments", "shares", "video_views"}

ENGAGEMENT_BASE = {Network.X: 0.012, Network.FACEBOOK: 0.02, Network.INSTAGRAM: 0.035,
                   Network.LINKEDIN: 0.026, Network.YOUTUBE: 0.04, Network.TIKTOK: 0.055}
REACH_FACTOR = {Network.X: 0.08, Network.FACEBOOK: 0.06, Network.INSTAGRAM: 0.22,
                Network.LINKEDIN: 0.12, Network.YOUTUBE: 0.9, Network.TIKTOK: 0.9}
WEEKDAY_POSTS = (1.1, 1.15, 1.2, 1.15, 1.05, 0.6, 0.45)
WEEKDAY_ENGAGEMENT = (0.95, 1.05, 1.1, 1.05, 0.95, 0.9, 0.85)
SNAPSHOT_AGES = ((1, 0.72), (7, 0.94), (28, 1.0))


@dataclass(frozen=True)
class DemoAccount:
    key: str
    network: Network
    handle: str
    name: str
    function: Function
    brand: str
    followers: int
    posts_per_week: float
    daily_growth: float


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("acme-x", Network.X, "@acmeoutdoor", "Acme Outdoor", Function.MARKETING,
                OWN_BRAND, 48_000, 9, 0.0009),
    DemoAccount("acme-care", Network.X, "@acmecare", "Acme Care", Function.CUSTOMER_SERVICE,
                OWN_BRAND, 12_000, 4, 0.0006),
    DemoAccount("acme-fb", Network.FACEBOOK, "acmeoutdoor", "Acme Outdoor", Function.PR_COMMS,
                OWN_BRAND, 120_000, 5, 0.0003),
    DemoAccount("acme-ig", Network.INSTAGRAM, "@acme.outdoor", "Acme Outdoor",
                Function.MARKETING, OWN_BRAND, 85_000, 6, 0.0012),
    DemoAccount("acme-li", Network.LINKEDIN, "acme-outdoor", "Acme Outdoor", Function.HR,
                OWN_BRAND, 22_000, 3, 0.0010),
    DemoAccount("acme-li-sales", Network.LINKEDIN, "acme-for-teams", "Acme for Teams",
                Function.SALES, OWN_BRAND, 5_500, 2, 0.0014),
    DemoAccount("acme-yt", Network.YOUTUBE, "AcmeOutdoorTV", "Acme Outdoor TV",
                Function.PRODUCT, OWN_BRAND, 31_000, 1, 0.0011),
    DemoAccount("acme-tt", Network.TIKTOK, "@acmeoutdoor", "Acme Outdoor", Function.MARKETING,
                OWN_BRAND, 40_000, 4, 0.0025),
    DemoAccount("summit-x", Network.X, "@summitgear", "Summit Gear", Function.MARKETING,
                "Summit Gear", 61_000, 8, 0.0007),
    DemoAccount("summit-ig", Network.INSTAGRAM, "@summitgear", "Summit Gear",
                Function.MARKETING, "Summit Gear", 140_000, 7, 0.0009),
    DemoAccount("summit-tt", Network.TIKTOK, "@summitgear", "Summit Gear", Function.MARKETING,
                "Summit Gear", 90_000, 5, 0.0030),
    DemoAccount("trailco-x", Network.X, "@trailco", "TrailCo", Function.MARKETING, "TrailCo",
                22_000, 5, 0.0004),
    DemoAccount("trailco-fb", Network.FACEBOOK, "trailco", "TrailCo", Function.MARKETING,
                "TrailCo", 70_000, 4, 0.0002),
    DemoAccount("trailco-ig", Network.INSTAGRAM, "@trailco", "TrailCo", Function.MARKETING,
                "TrailCo", 54_000, 5, 0.0008),
)

TOPICS = {
    "en": ["New trail guide: {place} in three days", "Gear check before your next hike",
           "Meet the team behind our {product}", "How we test every {product} in the rain",
           "Your photos from {place} this week", "Five tips for camping with kids",
           "Repair, don't replace: our free {product} repair days"],
    "es": ["Nueva guía: {place} en tres días", "Revisa tu equipo antes de la ruta",
           "Así probamos cada {product} bajo la lluvia"],
    "de": ["Neuer Wanderführer: {place} in drei Tagen", "So testen wir jeden {product}"],
    "fr": ["Nouveau guide : {place} en trois jours", "Comment nous testons chaque {product}"],
}
PLACES = ["the Pyrenees", "Picos de Europa", "the Dolomites", "Sierra Nevada", "the Alps"]
PRODUCTS = ["rain jacket", "tent", "backpack", "hiking boot", "sleeping bag"]


@dataclass(frozen=True)
class Event:
    name: str
    start: date
    end: date  # inclusive


def events(until: date) -> dict[str, Event]:
    """Campaigns, the viral day and the bad week, placed relative to the last day."""

    def ev(name: str, ago_start: int, length: int) -> Event:
        s = until - timedelta(days=ago_start)
        return Event(name, s, s + timedelta(days=length - 1))

    return {
        "spring-launch": ev("spring-launch", 430, 21),
        "summer-trails": ev("summer-trails", 330, 28),
        "black-friday": ev("black-friday", 250, 14),
        "repair-days": ev("repair-days", 45, 21),
        "viral": ev("viral", 200, 1),
        "bad-week": ev("bad-week", 120, 7),
    }


def _in(d: date, e: Event) -> bool:
    return e.start <= d <= e.end


def _campaign(d: date, evs: dict[str, Event]) -> str | None:
    for key in ("spring-launch", "summer-trails", "black-friday", "repair-days"):
        if _in(d, evs[key]):
            return key
    return None


_POST_COLS = ("post_id", "published_at", "local_date", "post_type", "text", "url", "campaign",
              "account_id")
_SNAPSHOT_COLS = ("post_id", "observed_at", "impressions", "reach", "engagements", "likes",
                  "comments", "shares", "clicks", "video_views", "saves", "account_id")
_DAILY_EXTRA_COLS = ("social_sessions", "bounced_sessions", "conversions", "all_conversions",
                     "ad_spend", "ad_clicks", "ad_impressions", "messages_received",
                     "messages_replied", "first_response_seconds", "csat_ratings",
                     "csat_satisfied", "csat_score_total", "nps_responses", "nps_promoters",
                     "nps_detractors")
VIRAL_TEXT = "This 10-second tent pitch went everywhere #acmeoutdoor"


@dataclass
class _AccountRun:
    """One account's generation: what it is drawn from, its columns so far, its running state.

    Every random draw comes from ``rng`` in a fixed order, so the same ``until`` date always
    gives the same tables."""

    acc: DemoAccount
    rng: np.random.Generator
    evs: dict[str, Event]
    tz: ZoneInfo
    cutoff: datetime
    own: bool
    provides: set[str]
    followers: float
    posts: dict[str, list[object]]
    snaps: dict[str, list[object]]
    daily: dict[str, list[object]]
    seq: int = 0
    viral_done: bool = False


def generate(until: date) -> dict[str, dict[str, pa.Table]]:
    """Tables per demo account key: posts, post_snapshots, account_daily."""
    evs = events(until)
    start = until - timedelta(days=DAYS - 1)
    tz = ZoneInfo(DEMO_TZ)
    cutoff = datetime.combine(until + timedelta(days=1), time(), tz).astimezone(UTC)
    out: dict[str, dict[str, pa.Table]] = {}
    for idx, acc in enumerate(ACCOUNTS):
        run = _start_account(idx, acc, evs, tz, cutoff)
        for day_i in range(DAYS):
            _day(run, start + timedelta(days=day_i), day_i)
        out[acc.key] = {
            "posts": _table(run.posts, exclude=("account_id",)),
            "post_snapshots": _table(run.snaps, exclude=("account_id",)),
            "account_daily": _table(run.daily),
        }
    return out


def _start_account(idx: int, acc: DemoAccount, evs: dict[str, Event], tz: ZoneInfo,
                   cutoff: datetime) -> _AccountRun:
    own = acc.brand == OWN_BRAND
    provides = PROVIDES[acc.network] if own else PUBLIC_ONLY & PROVIDES[acc.network]
    daily: dict[str, list[object]] = {"date": [], "followers": [], "profile_views": []}
    for c in _DAILY_EXTRA_COLS:
        daily[c] = []
    return _AccountRun(
        acc=acc, rng=np.random.default_rng([SEED, idx]), evs=evs, tz=tz, cutoff=cutoff,
        own=own, provides=provides, followers=float(acc.followers),
        posts={k: [] for k in _POST_COLS}, snaps={k: [] for k in _SNAPSHOT_COLS}, daily=daily,
    )


def _growth(run: _AccountRun, d: date, day_i: int, camp: str | None, bad: bool) -> float:
    """The day's follower growth rate, before its noise."""
    acc, own, evs = run.acc, run.own, run.evs
    growth = acc.daily_growth * (1 + 0.35 * math.sin(2 * math.pi * day_i / 365))
    if camp and own:
        growth *= 2.2
    if bad:
        growth = -0.0025
    if own and d > evs["viral"].start and (d - evs["viral"].start).days < 10 \
            and acc.key == "acme-tt":
        growth += 0.006
    return growth


def _day(run: _AccountRun, d: date, day_i: int) -> None:
    """One day of an account: its daily row, then its posts and their snapshots."""
    acc, rng, own, daily = run.acc, run.rng, run.own, run.daily
    wd = d.weekday()
    camp = _campaign(d, run.evs)
    bad = _in(d, run.evs["bad-week"]) and own
    run.followers *= 1 + _growth(run, d, day_i, camp, bad) + rng.normal(0, 0.0002)
    f_int = int(round(run.followers))
    daily["date"].append(d)
    daily["followers"].append(f_int)
    daily["profile_views"].append(
        int(rng.poisson(f_int * 0.0018 * WEEKDAY_ENGAGEMENT[wd])) if own else None
    )
    for c in _DAILY_EXTRA_COLS:
        daily[c].append(None)
    if own:
        _business_day(daily, acc, rng, d, camp, bad, wd)
    rate = acc.posts_per_week / 7 * WEEKDAY_POSTS[wd] * (1.5 if camp and own else 1)
    if bad:
        rate *= 0.5
    for _ in range(int(rng.poisson(rate))):
        _post(run, d, wd, camp, bad)


def _post(run: _AccountRun, d: date, wd: int, camp: str | None, bad: bool) -> None:
    """One post of the day: its row and its snapshots."""
    acc, rng, own = run.acc, run.rng, run.own
    run.seq += 1
    hour = int(rng.choice([8, 9, 10, 12, 13, 17, 18, 19, 20]))
    local = datetime.combine(d, time(hour, int(rng.integers(0, 60))), run.tz)
    published = local.astimezone(UTC)
    lang = "en" if rng.random() < 0.6 else str(rng.choice(["es", "de", "fr"]))
    text = str(rng.choice(TOPICS[lang])).format(
        place=rng.choice(PLACES), product=rng.choice(PRODUCTS)
    )
    if camp and own:
        text += f" #{camp.replace('-', '')}"
    pid = f"{acc.key}-{d.strftime('%Y%m%d')}-{run.seq}"
    ptype = _post_type(acc.network, rng)
    final, viral = _final_counters(run, d, wd, camp, bad, ptype)
    if viral:
        text = VIRAL_TEXT
    posts = run.posts
    posts["post_id"].append(pid)
    posts["published_at"].append(published)
    posts["local_date"].append(d)
    posts["post_type"].append(ptype)
    posts["text"].append(text)
    posts["url"].append(_url(acc, pid))
    posts["campaign"].append(camp if own else None)
    posts["account_id"].append(acc.key)
    _snapshots(run, pid, published, final)


def _final_counters(run: _AccountRun, d: date, wd: int, camp: str | None, bad: bool,
                    ptype: str) -> tuple[dict[str, float], bool]:
    """A post's counters once it has its full reach, and whether it is the viral post."""
    acc, rng, own = run.acc, run.rng, run.own
    factor = float(rng.lognormal(0, 0.55)) * WEEKDAY_ENGAGEMENT[wd]
    if camp and own:
        factor *= 1.5
    if bad:
        factor *= 0.45
    er = ENGAGEMENT_BASE[acc.network] * float(rng.lognormal(0, 0.25))
    if bad:
        er *= 0.4
    impressions = run.followers * REACH_FACTOR[acc.network] * factor
    share_boost = 1.0
    viral = own and not run.viral_done and d >= run.evs["viral"].start and acc.key == "acme-tt"
    if viral:
        impressions *= 45
        share_boost = 6.0
        run.viral_done = True
    engagements = impressions * er * (1.3 if share_boost > 1 else 1)
    final = {
        "impressions": impressions,
        "reach": impressions * float(rng.uniform(0.62, 0.85)),
        "likes": engagements * 0.55,
        "comments": engagements * 0.08,
        "shares": engagements * 0.07 * share_boost,
        "clicks": engagements * 0.2,
        "video_views": impressions * (0.6 if ptype in ("video", "reel") else 0.05),
        "saves": engagements * 0.05,
    }
    final["engagements"] = sum(
        final[k] for k in ("likes", "comments", "shares", "clicks", "saves")
        if k in run.provides
    )
    return final, viral


def _snapshots(run: _AccountRun, pid: str, published: datetime,
               final: dict[str, float]) -> None:
    """The post's snapshots at the ages the exports see it, up to the export's cutoff."""
    snaps, cutoff = run.snaps, run.cutoff
    for n_snap, (age, frac) in enumerate(SNAPSHOT_AGES):
        observed = published + timedelta(days=age)
        if observed >= cutoff:
            if n_snap > 0 or cutoff - published < timedelta(hours=2):
                break
            # a post of the last day: exported with what it has so far
            observed, frac = cutoff - timedelta(hours=1), frac * 0.6
        snaps["post_id"].append(pid)
        snaps["observed_at"].append(observed)
        snaps["account_id"].append(run.acc.key)
        for k, v in final.items():
            snaps[k].append(int(v * frac) if k in run.provides else None)


def _business_day(
    daily: dict[str, list[object]],
    acc: DemoAccount,
    rng: np.random.Generator,
    d: date,
    camp: str | None,
    bad: bool,
    wd: int,
) -> None:
    """Care, web analytics and paid data, on the accounts that would have them."""

    def put(col: str, value: object) -> None:
        daily[col][-1] = value

    if acc.key == "acme-care":
        received = int(rng.poisson(55 if bad else 30 * (0.6 if wd >= 5 else 1)))
        replied = int(round(received * (0.62 if bad else float(rng.uniform(0.86, 0.96)))))
        put("messages_received", received)
        put("messages_replied", replied)
        put("first_response_seconds", float(replied * rng.normal(5400 if bad else 1500, 120)))
        ratings = int(rng.poisson(7))
        satisfied = int(rng.binomial(ratings, 0.55 if bad else 0.82))
        put("csat_ratings", ratings)
        put("csat_satisfied", satisfied)
        put("csat_score_total", float(satisfied * 4.5 + (ratings - satisfied) * 2.3))
        responses = int(rng.poisson(3))
        promoters = int(rng.binomial(responses, 0.3 if bad else 0.52))
        detractors = int(rng.binomial(responses - promoters, 0.5 if bad else 0.3))
        put("nps_responses", responses)
        put("nps_promoters", promoters)
        put("nps_detractors", detractors)
    if acc.key in ("acme-fb", "acme-ig", "acme-li-sales"):
        sessions = int(rng.poisson(420 if camp else 260))
        put("social_sessions", sessions)
        put("bounced_sessions", int(rng.binomial(sessions, 0.47)))
        conv = int(rng.binomial(sessions, 0.021 if camp else 0.014))
        put("conversions", conv)
        put("all_conversions", conv + int(rng.poisson(60)))
        if camp:
            spend = float(round(rng.uniform(180, 320), 2))
            ad_imp = int(spend / 7.5 * 1000 * float(rng.uniform(0.85, 1.15)))
            put("ad_spend", spend)
            put("ad_impressions", ad_imp)
            put("ad_clicks", int(ad_imp * float(rng.uniform(0.008, 0.014))))


def _post_type(network: Network, rng: np.random.Generator) -> str:
    if network in (Network.YOUTUBE, Network.TIKTOK):
        return "video"
    if network is Network.INSTAGRAM:
        return str(rng.choice(["image", "carousel", "reel"], p=[0.4, 0.25, 0.35]))
    return str(rng.choice(["text", "image", "link", "video"], p=[0.3, 0.35, 0.25, 0.1]))


def _url(acc: DemoAccount, pid: str) -> str:
    """A post's address, by the platform registry's template."""
    return PLATFORMS[acc.network].post_link(acc.handle, pid)


def _table(cols: dict[str, list[object]], exclude: tuple[str, ...] = ()) -> pa.Table:
    return pa.table({k: v for k, v in cols.items() if k not in exclude})

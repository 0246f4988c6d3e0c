"""The audit's pure rules: verdicts against the median, flags, handles, best content."""

from __future__ import annotations

from socialpulse.domain import audit as rules


def fig(i: int, **kw) -> rules.AccountFigures:
    base = dict(account_id=i, label=f"X @a{i}", network="x", handle=f"@a{i}", name=f"A{i}",
                function="marketing", posts_per_week=5.0, followers=1000.0,
                audience_growth_rate=2.0, engagement_rate=2.0, days_since_last_post=1)
    base.update(kw)
    return rules.AccountFigures(**base)


def test_median() -> None:
    assert rules.median([]) is None
    assert rules.median([3, 1, 2]) == 2
    assert rules.median([4, 1, 2, 3]) == 2.5


def test_verdicts_against_the_workspace_median() -> None:
    accounts = [
        fig(1, engagement_rate=4.0, audience_growth_rate=5.0, posts_per_week=9.0),
        fig(2, engagement_rate=1.0, audience_growth_rate=0.5, posts_per_week=1.0),
        fig(3, engagement_rate=2.0, audience_growth_rate=2.0, posts_per_week=5.0),
    ]
    v = {x.account_id: x for x in rules.judge(accounts)}
    assert v[1].working and v[1].rank == 1
    assert not v[2].working and v[2].rank == 3
    assert v[2].reason == ("below the workspace median on engagement rate 1.00% vs median 2.00%;"
                           " audience growth 0.50% vs median 2.00%; activity (posts per week) "
                           "1.00/week vs median 5.00/week")
    assert v[3].working  # at the median counts as at or above


def test_shrinking_or_dormant_accounts_never_work() -> None:
    accounts = [
        fig(1, engagement_rate=9.0, audience_growth_rate=-1.5, posts_per_week=9.0),
        fig(2, engagement_rate=9.0, posts_per_week=9.0, days_since_last_post=120),
        fig(3, engagement_rate=1.0), fig(4, engagement_rate=1.0),
    ]
    v = {x.account_id: x for x in rules.judge(accounts)}
    assert not v[1].working and v[1].reason.startswith("audience shrinking (-1.5%)")
    assert [f.code for f in v[1].flags] == ["shrinking"]
    assert not v[2].working and "no post in 120 days" in v[2].reason
    never = rules.judge([fig(5, days_since_last_post=None, posts_per_week=None)])[0]
    assert [f.message for f in never.flags] == ["no post ever recorded"]


def test_unanswered_audience_questions_are_flagged() -> None:
    v = rules.judge([fig(1, messages_received=200.0, messages_replied=150.0),
                     fig(2, messages_received=100.0, messages_replied=99.0)])
    flags = {x.account_id: [f.message for f in x.flags] for x in v}
    assert flags[1] == ["50 of 200 audience questions left without a reply (75.0% answered)"]
    assert flags[2] == []


def test_duplicate_and_inconsistent_handles() -> None:
    accounts = [
        fig(1, network="x", handle="@acmeoutdoor", name="Acme Outdoor"),
        fig(2, network="tiktok", handle="@acmeoutdoor", name="Acme Outdoor"),
        fig(3, network="instagram", handle="@acme.outdoor", name="Acme Outdoor"),
        fig(4, network="x", handle="@AcmeOutdoor_", name="Acme Outdoor (old)"),
        fig(5, network="youtube", handle="AcmeOutdoorTV", name="Acme Outdoor TV"),
    ]
    flags = rules.handle_flags(accounts)
    assert [f.code for f in flags[1]] == ["duplicate_handle"]
    assert "@acmeoutdoor and @AcmeOutdoor_ look like one account" in flags[1][0].message
    assert [f.code for f in flags[3]] == ["inconsistent_handle"]
    assert "'acmeoutdoor'" in flags[3][0].message
    assert 2 not in flags and 5 not in flags


def test_best_of_needs_enough_posts() -> None:
    rows = [("video", 50.0, 2), ("image", 30.0, 10), ("text", 40.0, 3), ("link", 10.0, 8)]
    assert rules.best_of(rows, top=2) == (("text", 40.0, 3), ("image", 30.0, 10))

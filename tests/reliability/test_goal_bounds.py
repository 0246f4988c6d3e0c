"""Goal deadlines are bounded and the goal chart is built in one pass (issue 11, item 3).

A deadline of 9999-12-31 was accepted and its page pinned a CPU for over 12 minutes: the chart
recomputed every forecast week from scratch for each of ~416,000 weeks.
"""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from socialpulse.domain import forecast as fc
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.goals import MAX_GOAL_YEARS, check_deadline, latest_deadline

from .conftest import TODAY, one_line_error

START = date.fromisoformat(TODAY)


def test_a_deadline_is_at_most_five_years_after_the_start() -> None:
    assert MAX_GOAL_YEARS == 5
    assert latest_deadline(START) == date(2031, 10, 31)
    assert latest_deadline(date(2028, 2, 29)) == date(2033, 2, 28)
    check_deadline(date(2031, 10, 31), START)
    with pytest.raises(InvalidInput, match=r"^deadline: 2031-11-01 is more than 5 years after "
                                           r"the goal's start \(2026-10-31\); choose a date up "
                                           r"to 2031-10-31$"):
        check_deadline(date(2031, 11, 1), START)
    # a revision is judged from the goal's start, not from the day it is revised
    with pytest.raises(InvalidInput, match="2030-01-01"):
        check_deadline(date(2035, 1, 2), date(2031, 1, 1), start=date(2030, 1, 1))


@pytest.mark.parametrize("deadline", ["2031-11-01", "2999-12-31", "9999-12-31"])
def test_the_api_refuses_far_deadlines_naming_the_field(api: TestClient, deadline: str) -> None:
    r = api.post(f"/api/workspaces/demo/goals?today={TODAY}",
                 json={"template": "brand_awareness:reach", "deadline": deadline})
    assert one_line_error(r, 400).startswith("deadline:")


def test_a_revision_cannot_push_the_deadline_past_five_years(api: TestClient) -> None:
    made = api.post(f"/api/workspaces/demo/goals?today={TODAY}",
                    json={"template": "brand_awareness:reach", "deadline": "2027-06-30"})
    assert made.status_code == 201, made.text
    r = api.patch(f"/api/workspaces/demo/goals/{made.json()['id']}?today=2027-01-15",
                  json={"deadline": "2031-12-31"})
    assert "2026-10-31" in one_line_error(r, 400)  # five years from the start, not from today


def test_forecast_path_equals_the_forecast_of_each_week() -> None:
    model = fc.fit([100.0, 120.0, 115.0, 140.0, 150.0, 149.0, 170.0])
    path = model.path(300)
    assert len(path) == 300
    assert path == [model.ahead(k) for k in range(1, 301)]


def test_the_chart_of_a_five_year_goal_has_one_forecast_row_per_week(api: TestClient) -> None:
    made = api.post(f"/api/workspaces/demo/goals?today={TODAY}",
                    json={"template": "brand_awareness:reach", "deadline": "2031-10-31"})
    assert made.status_code == 201, made.text
    gid = made.json()["id"]
    app = api.app.state.sp  # type: ignore[attr-defined]
    t = app.goals.track(app.workspace("demo"), gid, START)
    assert t.forecast is not None and t.forecast.steps > 250
    rows = app.goals.chart_rows(t)
    forecast = [r for r in rows if r["series"] == "forecast"]
    assert len(forecast) == t.forecast.steps + 1  # the last actual week, then every week
    days = [r["date"] for r in forecast]
    assert days == sorted(days) and days[-1] == "2031-10-31"
    assert forecast[-1]["value"] == pytest.approx(t.forecast.point)
    page = api.get(f"/goals/{gid}?workspace=demo&today={TODAY}")
    assert page.status_code == 200 and "2031-10-31" in page.text


@pytest.mark.parametrize(("text", "parse"), [("inf", "number"), ("nan", "number"),
                                             ("1e308", "number"), ("+1000001%", "change")])
def test_typed_targets_are_finite_and_bounded(text: str, parse: str) -> None:
    """The CLI's and the forms' targets get the same bounds as the API's JSON numbers."""
    from socialpulse.services.goal_input import parse_change, parse_number

    with pytest.raises(InvalidInput, match=r"^--target: .* (is out of range|is not a number)"):
        if parse == "number":
            parse_number(text, "--target")
        else:
            parse_change(text, "--target")

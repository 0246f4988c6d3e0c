"""A goal's status (on track, at risk, off track, achieved, missed), its colour and the
rules that decide it from progress, pace and forecast.

One module so that the word, the colour and the rank of a status are defined once and every
page, the CLI and the report take them from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    ACHIEVED = "achieved"
    MISSED = "missed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


Tone = Literal["green", "yellow", "red", "grey"]

#: The one mapping from a status to its word and colour: every page, the CLI and the report
#: take both from here, so a colour never disagrees with the word beside it.
STATUS_TONE: dict[Status, Tone] = {
    Status.ACHIEVED: "green",
    Status.ON_TRACK: "green",
    Status.AT_RISK: "yellow",
    Status.OFF_TRACK: "red",
    Status.MISSED: "red",
}


def status_display(status: Status) -> dict[str, str]:
    """``{"status": "at_risk", "status_label": "at risk", "tone": "yellow"}`` for pages,
    the CLI and the report."""
    return {"status": status.value, "status_label": status.label, "tone": STATUS_TONE[status]}


#: worse to better; a better measurement never gives a lower rank (tested with hypothesis)
STATUS_RANK: dict[Status, int] = {
    Status.MISSED: 0,
    Status.OFF_TRACK: 1,
    Status.AT_RISK: 2,
    Status.ON_TRACK: 3,
    Status.ACHIEVED: 4,
}

#: pace rule when no forecast is possible: how far behind the expected progress is still fine
PACE_ON_TRACK = 0.10
PACE_AT_RISK = 0.30


@dataclass(frozen=True)
class StatusResult:
    status: Status
    reason: str


def assess_status(
    *,
    today: date,
    deadline: date,
    progress_now: float,
    expected: float,
    forecast_progress: float | None = None,
    forecast_best: float | None = None,
    fmt: Mapping[str, str] | None = None,
) -> StatusResult:
    """Status with the reason, from progress and (when there is one) the forecast.

    Rules, in order: after the deadline, achieved or missed (the target applies to the window
    ending at the deadline); before it, with a forecast, on track when the forecast reaches the
    target, at risk
    when only the optimistic end of its interval does, off track when not even that does;
    without a forecast, by pace against the expected progress. ``fmt`` holds display strings
    (current, target, forecast, lower, upper) for the reason.
    """
    f = dict(fmt or {})
    cur = f.get("current", f"{progress_now:.0%} of the way")
    tgt = f.get("target", "the target")
    if today > deadline:
        if progress_now >= 1:
            return StatusResult(Status.ACHIEVED, f"the deadline passed with {cur}, "
                                                 f"meeting the target {tgt}")
        return StatusResult(Status.MISSED, f"the deadline passed at {cur}, short of the "
                                           f"target {tgt} ({progress_now:.0%} of the way)")
    # before the deadline the target still has to hold in the window ending at the deadline,
    # so a goal already above its target is judged by its forecast like any other
    now = f"{cur} already meets {tgt}, but " if progress_now >= 1 else ""
    if forecast_progress is not None:
        point = f.get("forecast", "the forecast")
        best = forecast_best if forecast_best is not None else forecast_progress
        band = (f" (interval {f['lower']} to {f['upper']})" if "lower" in f and "upper" in f
                else "")
        if forecast_progress >= 1:
            already = f"{cur} already meets {tgt} and " if progress_now >= 1 else ""
            return StatusResult(Status.ON_TRACK, f"{already}the forecast at the deadline, "
                                                 f"{point}{band}, meets the target {tgt}")
        if best >= 1:
            return StatusResult(Status.AT_RISK, f"{now}the forecast at the deadline, {point}, "
                                                f"falls short of {tgt}; only the optimistic "
                                                f"end of its interval{band} reaches it")
        return StatusResult(Status.OFF_TRACK, f"{now}the forecast at the deadline, "
                                              f"{point}{band}, falls short of {tgt} even at "
                                              "its best")
    gap = progress_now - expected
    pace = (f"{progress_now:.0%} of the way with {expected:.0%} expected by now "
            "(no forecast: too little history)")
    if gap >= -PACE_ON_TRACK:
        return StatusResult(Status.ON_TRACK, pace)
    if gap >= -PACE_AT_RISK:
        return StatusResult(Status.AT_RISK, pace)
    return StatusResult(Status.OFF_TRACK, pace)

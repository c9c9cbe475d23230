"""A per-record time budget for the text scanners.

All detectors are linear in the text (Hyperscan triggers, windows of bounded
size), so a record's scan time is bounded by its size; but an adversarial or
pathological document (a million phone-like digit runs, a minified bundle full
of license words) can still take minutes. Scanners check a `Deadline` between
units of work (windows, chunks, redaction passes) and give up with
`TimeBudgetExceeded`; the stage then rejects the record with
`scan.time_budget_exceeded` rather than publish text it did not finish scanning.
Checks are cooperative, so a record can overrun by at most one unit of work.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from schemas.actions import Action
from schemas.reason_codes import ScanReason
from schemas.record import Signal

TIME_BUDGET_EXCEEDED = ScanReason.TIME_BUDGET_EXCEEDED.value


class TimeBudgetExceeded(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"scan took longer than its budget of {seconds:g} s")
        self.seconds = seconds


@dataclass(frozen=True)
class Deadline:
    at: float  # time.monotonic() value
    seconds: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds, seconds)

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise TimeBudgetExceeded(self.seconds)


def check(deadline: Deadline | None) -> None:
    if deadline is not None:
        deadline.check()


def budget_signal(stage: str, seconds: float) -> Signal:
    return Signal(
        code=TIME_BUDGET_EXCEEDED,
        action=Action.REJECT,
        stage=stage,
        detail=f"{stage} scan stopped after its {seconds:g} s budget; not published unscanned",
    )

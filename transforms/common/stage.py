"""The contract every scanning stage keeps, and the order check the graph runs on it.

Every stage used to re-implement its time budget, its counters and how it records
signals, and stage order was implicit: the consent stage silently saw no PII
findings if it ran before the PII stage. Here a stage declares what it needs from
the record and what it adds (`StageContract`), and the graph checks the order while
it is wired (`StageOrder`), so a misplaced stage fails with a message instead of
producing quietly different decisions.

`ScanStage` is the DoFn base that keeps the rest of the contract:

- a per-record `Deadline` from the configured time budget, and `over_budget()`, which
  adds the rejecting `scan.time_budget_exceeded` signal;
- every signal it adds increments a Beam counter named after the signal's reason
  code, in the signal's stage namespace (e.g. `pii/pii.sensitive.US_SSN`), so the
  run's own metrics explain the ledger;
- `updated()` returns a new record and refuses to set a field the contract does not
  declare; the input record is never changed (Beam's rule for DoFn inputs).

Facts are `AuditRecord` field names plus `TEXT` (the document's text is still in the
record: true from `AttachSource` until `DetachText` moves it to a sidecar file).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.actions import Action
from schemas.record import AuditRecord, Signal
from transforms.common.time_budget import Deadline, budget_signal

TEXT = "text"
FACTS = frozenset({field.name for field in fields(AuditRecord)} | {TEXT})


class StageOrderError(ValueError):
    """A stage is wired before a stage that provides what it needs."""


@dataclass(frozen=True)
class StageContract:
    """What a stage needs in a record, and what it adds to or takes from it.

    `name` is the stage's `Signal.stage` and the namespace of its counters.
    `provides`: record fields the stage sets (new facts for later stages).
    `rewrites`: fields it replaces without adding a fact (consent drops the raw subject
    identifiers from the document). `removes`: facts no later stage may rely on.
    """

    name: str
    requires: frozenset[str] = frozenset()
    provides: frozenset[str] = frozenset()
    rewrites: frozenset[str] = frozenset()
    removes: frozenset[str] = frozenset()

    @classmethod
    def declare(
        cls,
        name: str,
        *,
        requires: Iterable[str] = (),
        provides: Iterable[str] = (),
        rewrites: Iterable[str] = (),
        removes: Iterable[str] = (),
    ) -> StageContract:
        contract = cls(
            name, frozenset(requires), frozenset(provides), frozenset(rewrites), frozenset(removes)
        )
        unknown = (
            contract.requires | contract.provides | contract.rewrites | contract.removes
        ) - FACTS
        if unknown:
            raise ValueError(
                f"stage {name!r} declares unknown facts {sorted(unknown)}; "
                f"facts are AuditRecord fields or {TEXT!r}"
            )
        return contract

    @property
    def settable(self) -> frozenset[str]:
        """Fields `ScanStage.updated` may change: signals are every stage's to add."""
        return self.provides | self.rewrites | {"signals"}


def contract_of(transform: Any) -> StageContract | None:
    """The contract of a stage PTransform, or of the DoFn inside a `beam.ParDo`.

    None for a step that declares none: it is taken to pass records through as they are
    (test probes, for example).
    """
    contract = getattr(transform, "contract", None)
    if contract is None:
        contract = getattr(getattr(transform, "fn", None), "contract", None)
    return contract


class StageOrder:
    """The facts records carry at this point of the graph, as stages are wired in order."""

    def __init__(self, available: Iterable[str] = ()) -> None:
        self._available = set(available)
        self._removed_by: dict[str, str] = {}
        self._wired: list[str] = []

    @property
    def available(self) -> frozenset[str]:
        return frozenset(self._available)

    def admit(self, step: str, contract: StageContract | None) -> None:
        """Record that `step` comes next; raise `StageOrderError` if its input is not there."""
        if contract is not None:
            missing = sorted(contract.requires - self._available)
            if missing:
                raise StageOrderError(self._explain(step, missing))
            self._available |= contract.provides
            self._available -= contract.removes
            self._removed_by.update(dict.fromkeys(contract.removes, step))
        self._wired.append(step)

    def _explain(self, step: str, missing: list[str]) -> str:
        why = [
            f"{fact!r} (removed by {self._removed_by[fact]})"
            if fact in self._removed_by
            else f"{fact!r} (no earlier step provides it)"
            for fact in missing
        ]
        earlier = ", ".join(self._wired) or "none"
        return (
            f"stage {step!r} is wired before its input exists: it requires {', '.join(why)}. "
            f"Steps wired before it: {earlier}. Wire it after the stage that provides "
            "what it requires."
        )


def check_stage_order(
    steps: Iterable[tuple[str, StageContract | None]], available: Iterable[str] = ()
) -> frozenset[str]:
    """Check a whole sequence of (step name, contract); the facts available after it."""
    order = StageOrder(available)
    for step, contract in steps:
        order.admit(step, contract)
    return order.available


class Counters:
    """Beam counters by name, each made on first use: a DoFn counts names it learns from
    the data (reason codes, statuses) without declaring them first."""

    def __init__(self, namespace: str = "") -> None:
        self.namespace = namespace
        self._made: dict[tuple[str, str], Any] = {}

    def inc(self, name: str, value: int = 1, namespace: str | None = None) -> None:
        key = (namespace or self.namespace, name)
        counter = self._made.get(key)
        if counter is None:
            counter = self._made[key] = Metrics.counter(*key)
        counter.inc(value)


class ScanStage(beam.DoFn):
    """Base of the DoFns that examine records: budget, signals and counters, no mutation.

    Subclasses set `contract` and call `updated()` / `over_budget()` to produce their
    output; `count()` is there for counters that are not reason codes (bytes scanned,
    license categories).
    """

    contract: ClassVar[StageContract]

    def __init__(self, time_budget: float | None = None) -> None:
        super().__init__()
        self.time_budget = time_budget
        self._counters = Counters()  # namespaced per call: the contract is the subclass's

    def deadline(self, records: int = 1) -> Deadline | None:
        """The deadline for scanning `records` records now, or None without a budget."""
        return Deadline.after(self.time_budget * records) if self.time_budget else None

    def count(self, name: str, value: int = 1, namespace: str | None = None) -> None:
        self._counters.inc(name, value, namespace or self.contract.name)

    def signal(self, code: str, action: Action, detail: str = "") -> Signal:
        """A signal raised by this stage (`Signal.stage` is the contract's name)."""
        return Signal(code=code, action=action, stage=self.contract.name, detail=detail)

    def updated(
        self, record: AuditRecord, signals: Iterable[Signal] = (), **changes: Any
    ) -> AuditRecord:
        """A new record with `signals` added and `changes` set; `record` stays as it was.

        Each signal increments the counter named after its code in its stage's namespace.
        A field outside the contract's `provides`/`rewrites` is a programming error: the
        order check relies on the declaration being complete.
        """
        undeclared = changes.keys() - self.contract.settable
        if undeclared:
            raise TypeError(
                f"stage {self.contract.name!r} sets {sorted(undeclared)}, which its "
                "contract does not declare"
            )
        added = tuple(signals)
        for signal in added:
            self.count(signal.code, namespace=signal.stage)
        return record.with_signals(*added, **changes)

    def over_budget(self, record: AuditRecord, **changes: Any) -> AuditRecord:
        """The record rejected with `scan.time_budget_exceeded`: never published unscanned."""
        seconds = self.time_budget or 0.0  # only a stage with a budget can overrun it
        return self.updated(record, [budget_signal(self.contract.name, seconds)], **changes)

"""The count sections of the run summary (`schemas/run_summary.py`): per source x decision x
reason, the reconciliation, and the Beam metrics.

Figures come from the written outputs (so they agree with them exactly), tallied
file by file on the workers (`RecordTally`, combined by the audit pipeline), and
from the run's own counters (so the read side is counted independently).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pyarrow as pa

from pipelines.reports.tally import Tally
from schemas.run_summary import SourceCounts, SourceReconciliation, Totals

READ_PREFIX = "read/records."
# Portable runners (Flink's job server) also report Beam's own system counters (element
# counts, execution times) as counters in this namespace; the summary keeps the pipeline's.
SYSTEM_NAMESPACE = "beam"


def counter_values(metrics_result) -> dict[str, int]:
    """Counters as `namespace/name -> value` (committed, else attempted)."""
    values: dict[str, int] = {}
    for counter in metrics_result.query().get("counters", []):
        if counter.key.metric.namespace == SYSTEM_NAMESPACE:
            continue
        key = f"{counter.key.metric.namespace}/{counter.key.metric.name}"
        value = counter.committed if counter.committed is not None else counter.attempted
        values[key] = values.get(key, 0) + int(value or 0)
    return dict(sorted(values.items()))


def records_read_per_source(counters: dict[str, int]) -> dict[str, int]:
    return {
        key[len(READ_PREFIX) :]: value
        for key, value in counters.items()
        if key.startswith(READ_PREFIX)
    }


def reconcile(
    read: dict[str, int], ledger: Counter, dead: Counter
) -> dict[str, SourceReconciliation]:
    """Per source: records read vs ledger + dead-letter rows. `ok` is the "nothing lost" check."""
    result = {}
    for source_id in sorted(set(read) | set(ledger) | set(dead)):
        in_ledger = ledger.get(source_id, 0)
        in_dead = dead.get(source_id, 0)
        read_count = read.get(source_id, 0)
        result[source_id] = SourceReconciliation(
            records_read=read_count,
            ledger_rows=in_ledger,
            dead_letter_rows=in_dead,
            ok=read_count == in_ledger + in_dead,
        )
    return result


@dataclass(frozen=True)
class RecordCounts:
    """The count sections of the summary: what the outputs hold, source by source."""

    totals: Totals
    reconciliation: dict[str, SourceReconciliation]
    sources: dict[str, SourceCounts]


@dataclass
class RecordTally(Tally):
    """The count sections' raw counts, added file by file on the workers."""

    decisions: Counter = field(default_factory=Counter)  # (source, decision) -> records
    # (source, decision, reason) -> records; a record with two reasons counts under both
    reasons: Counter = field(default_factory=Counter)
    dead_letters: Counter = field(default_factory=Counter)  # (source, error code) -> records

    def add_ledger(self, table: pa.Table) -> None:
        for source_id, decision, reasons in zip(
            *(table.column(name).to_pylist() for name in ("source_id", "decision", "reasons")),
            strict=True,
        ):
            self.decisions[(source_id, decision)] += 1
            for reason in reasons:
                self.reasons[(source_id, decision, reason)] += 1

    def add_dead_letter(self, table: pa.Table) -> None:
        self.dead_letters.update(
            zip(
                table.column("source_id").to_pylist(),
                table.column("error_code").to_pylist(),
                strict=True,
            )
        )

    def finish(self, counters: dict[str, int]) -> RecordCounts:
        """The sections, with the reconciliation against the run's read counters."""
        ledger_per_source: Counter = Counter()
        for (source_id, _), count in self.decisions.items():
            ledger_per_source[source_id] += count
        dead_per_source: Counter = Counter()
        for (source_id, _), count in self.dead_letters.items():
            dead_per_source[source_id] += count

        decisions_of: dict[str, dict[str, int]] = defaultdict(dict)
        reasons_of: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
        dead_letters_of: dict[str, dict[str, int]] = defaultdict(dict)
        for (source_id, decision), count in sorted(self.decisions.items()):
            decisions_of[source_id][decision] = count
        for (source_id, decision, reason), count in sorted(self.reasons.items()):
            reasons_of[source_id].setdefault(decision, {})[reason] = count
        for (source_id, code), count in sorted(self.dead_letters.items()):
            dead_letters_of[source_id][code] = count
        sources = {
            source_id: SourceCounts(
                decisions=decisions_of[source_id],
                reasons=reasons_of[source_id],
                dead_letter=dead_letters_of[source_id],
            )
            for source_id in sorted({*decisions_of, *reasons_of, *dead_letters_of})
        }
        reconciliation = reconcile(
            records_read_per_source(counters), ledger_per_source, dead_per_source
        )
        totals: Counter = Counter()
        for (_, decision), count in self.decisions.items():
            totals[decision] += count
        return RecordCounts(
            totals=Totals(
                records_read=sum(item.records_read for item in reconciliation.values()),
                ledger_rows=sum(ledger_per_source.values()),
                dead_letter_rows=sum(dead_per_source.values()),
                decisions=dict(sorted(totals.items())),
            ),
            reconciliation=reconciliation,
            sources=sources,
        )

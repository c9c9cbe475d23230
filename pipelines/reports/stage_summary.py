"""Per-stage figures for `summary.json`, tallied from the written ledger and dataset.

Computing them from the written outputs (rather than from side channels) makes
the report agree with them exactly. The audit pipeline tallies each output file
on the worker that checks it and combines the tallies (`pipelines/run/audit_outputs.py`);
the launcher only finishes the combined tally into figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.reports.tally import Tally
from schemas.gate import GateSettings
from schemas.reason_codes import PII_REDACTED, PII_SECRET, PII_SENSITIVE
from schemas.run_summary import (
    ConsentFigures,
    DedupFigures,
    GateFigures,
    LicenseFigures,
    OptOutFigures,
    PiiFigures,
    SizeFigures,
)
from transforms.decision.gate import gate_exceeded, is_disqualifying

COLUMNS = [
    "source_id",
    "decision",
    "signals",
    "pii_counts",
    "license_spdx",
    "license_category",
    "license_conflict",
    "consent_status",
    "optout_signals",
    "cluster_id",
    "duplicate_of",
    "duplicate_kind",
    "cluster_size",
    "byte_length",
]


def _size_bin(size: int) -> str:
    if size <= 2:
        return str(size)
    if size <= 5:
        return "3-5"
    if size <= 10:
        return "6-10"
    if size <= 100:
        return "11-100"
    return ">100"


@dataclass(frozen=True)
class StageFigures:
    """The summary sections read from the ledger in one pass."""

    pii: PiiFigures
    licenses: LicenseFigures
    consent: ConsentFigures
    optout: OptOutFigures
    dedup: DedupFigures


@dataclass
class StageTally(Tally):
    """The stage sections' counts, added ledger file by ledger file on the workers."""

    pii_found: Counter = field(default_factory=Counter)
    pii_docs: Counter = field(default_factory=Counter)
    pii_redacted: Counter = field(default_factory=Counter)
    pii_rejected: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    spdx: Counter = field(default_factory=Counter)
    source_categories: Counter = field(default_factory=Counter)  # (source, category)
    conflicts: int = 0
    consent: Counter = field(default_factory=Counter)
    source_consent: Counter = field(default_factory=Counter)  # (source, status)
    optout: Counter = field(default_factory=Counter)
    # A cluster is counted at its one kept copy (cluster_id set, duplicate_of not: see
    # transforms/dedup/core.py assign_cluster), so no worker needs a set of cluster ids.
    clusters: int = 0
    cluster_sizes: Counter = field(default_factory=Counter)  # size bin -> clusters
    removed_per_source: Counter = field(default_factory=Counter)
    removed_kind: Counter = field(default_factory=Counter)
    documents: int = 0

    def add(self, table: pa.Table) -> None:
        for row in table.select(COLUMNS).to_pylist():
            self._add_row(row)

    def _add_row(self, row: dict) -> None:
        self.documents += 1
        source = row["source_id"]
        codes = {signal["code"] for signal in row["signals"]}
        for entity, count in row["pii_counts"]:
            self.pii_found[entity] += count
            self.pii_docs[entity] += 1
            if PII_REDACTED.code(entity) in codes:
                self.pii_redacted[entity] += 1
            if {PII_SENSITIVE.code(entity), PII_SECRET.code(entity)} & codes:
                self.pii_rejected[entity] += 1
        if row["license_category"] is not None:
            self.categories[row["license_category"]] += 1
            self.source_categories[(source, row["license_category"])] += 1
            self.spdx[row["license_spdx"] or "(none)"] += 1
            self.conflicts += bool(row["license_conflict"])
        self.consent[row["consent_status"]] += 1
        self.source_consent[(source, row["consent_status"])] += 1
        for code in {s["reason_code"] for s in row["optout_signals"] if s["reserved"]}:
            self.optout[code] += 1
        if row["cluster_id"] and not row["duplicate_of"]:
            self.clusters += 1
            self.cluster_sizes[_size_bin(row["cluster_size"])] += 1
        if row["duplicate_of"]:
            self.removed_per_source[source] += 1
            self.removed_kind[row["duplicate_kind"]] += 1

    def finish(self) -> StageFigures:
        return StageFigures(
            pii=PiiFigures(
                found=dict(sorted(self.pii_found.items())),
                documents_with=dict(sorted(self.pii_docs.items())),
                redacted=dict(sorted(self.pii_redacted.items())),
                rejected=dict(sorted(self.pii_rejected.items())),
            ),
            licenses=LicenseFigures(
                categories=dict(sorted(self.categories.items())),
                # Ties broken by name: `most_common` keeps first-seen order, which follows
                # the ledger's row order and so varied from run to run.
                spdx=dict(sorted(self.spdx.items(), key=lambda item: (-item[1], item[0]))[:50]),
                conflicts=self.conflicts,
                per_source=_nested(self.source_categories),
            ),
            consent=ConsentFigures(
                status=dict(sorted(self.consent.items())),
                per_source=_nested(self.source_consent),
            ),
            optout=OptOutFigures(signals=dict(sorted(self.optout.items()))),
            dedup=DedupFigures(
                documents=self.documents,
                clusters=self.clusters,
                cluster_size_histogram=dict(sorted(self.cluster_sizes.items())),
                removed_per_source=dict(sorted(self.removed_per_source.items())),
                exact_removed=self.removed_kind.get("exact", 0),
                near_removed=self.removed_kind.get("near", 0),
            ),
        )


def _nested(pairs: Counter) -> dict[str, dict[str, int]]:
    """(outer, inner) -> count as {outer: {inner: count}}, both levels sorted."""
    nested: dict[str, dict[str, int]] = defaultdict(dict)
    for (outer, inner), count in sorted(pairs.items()):
        nested[outer][inner] = count
    return dict(nested)


@dataclass
class GateTally(Tally):
    """Per source: records, and records with a code the gate counts as disqualifying."""

    records: Counter = field(default_factory=Counter)
    disqualifying: Counter = field(default_factory=Counter)

    def add(self, table: pa.Table, settings: GateSettings) -> None:
        for source, signals in zip(
            table.column("source_id").to_pylist(), table.column("signals").to_pylist(), strict=True
        ):
            self.records[source] += 1
            self.disqualifying[source] += is_disqualifying(
                [s["code"] for s in signals], settings.disqualifying
            )

    def finish(self, settings: GateSettings) -> dict[str, GateFigures]:
        records, bad = self.records, self.disqualifying
        return {
            source: GateFigures(
                records=records[source],
                disqualifying=bad[source],
                rate=bad[source] / records[source] if records[source] else 0.0,
                threshold=settings.threshold,
                exceeded=gate_exceeded(records[source], bad[source], settings.threshold),
                sample_size=min(settings.sample_size, records[source]),
            )
            for source in sorted(records)
        }


DATASET_SIZE_COLUMNS = ["source_id", "text", "metadata"]


@dataclass
class SizeTally(Tally):
    """Dataset bytes per source and per crawled domain, added record batch by record batch.

    Its size grows with the number of distinct domains: the summary lists the largest
    tenth of them, which needs every domain's total.
    """

    per_source: Counter = field(default_factory=Counter)
    domains: Counter = field(default_factory=Counter)

    def add(self, batch: pa.RecordBatch | pa.Table) -> None:
        # Byte lengths in Arrow: decoding every text to Python only to measure it
        # was most of the summary's time on large runs.
        sizes = pc.binary_length(batch.column("text")).to_pylist()
        for source, size, metadata in zip(
            batch.column("source_id").to_pylist(),
            sizes,
            batch.column("metadata").to_pylist(),
            strict=True,
        ):
            size = size or 0
            self.per_source[source] += size
            url = dict(metadata or []).get("url")
            if url:
                self.domains[(urlsplit(url).hostname or "").lower()] += size

    def finish(self, top_domain_share: float = 0.1) -> SizeFigures:
        """Dataset size (bytes, a 4-bytes-per-token estimate) and the crawled domains by size."""
        total = sum(self.per_source.values())
        ranked = self.domains.most_common()
        top = ranked[: max(1, round(len(ranked) * top_domain_share))] if ranked else []
        return SizeFigures(
            dataset_bytes=total,
            dataset_tokens_estimate=total // 4,
            per_source_bytes=dict(sorted(self.per_source.items())),
            top_domains=tuple((domain, size) for domain, size in top),
        )

"""Per-stage figures for `summary.json`, read back from the ledger file by file.

Computing them from the written ledger (rather than from side channels) makes
the report agree with the outputs exactly, and keeps memory bounded by one
file's worth of a few columns.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.publish.outputs import parquet_files
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


def stage_sections(ledger_dir: str | Path) -> StageFigures:
    pii_found: Counter = Counter()
    pii_docs: Counter = Counter()
    pii_redacted: Counter = Counter()
    pii_rejected: Counter = Counter()
    categories: Counter = Counter()
    spdx: Counter = Counter()
    per_source_categories: dict[str, Counter] = defaultdict(Counter)
    conflicts = 0
    consent: Counter = Counter()
    consent_per_source: dict[str, Counter] = defaultdict(Counter)
    optout: Counter = Counter()
    clusters: dict[str, int] = {}
    removed_per_source: Counter = Counter()
    removed_kind: Counter = Counter()
    documents = 0
    for path in parquet_files(ledger_dir):
        table = pq.read_table(path, columns=COLUMNS)
        for row in table.to_pylist():
            documents += 1
            source = row["source_id"]
            codes = {signal["code"] for signal in row["signals"]}
            for entity, count in row["pii_counts"]:
                pii_found[entity] += count
                pii_docs[entity] += 1
                if PII_REDACTED.code(entity) in codes:
                    pii_redacted[entity] += 1
                if {PII_SENSITIVE.code(entity), PII_SECRET.code(entity)} & codes:
                    pii_rejected[entity] += 1
            if row["license_category"] is not None:
                categories[row["license_category"]] += 1
                per_source_categories[source][row["license_category"]] += 1
                spdx[row["license_spdx"] or "(none)"] += 1
                conflicts += bool(row["license_conflict"])
            consent[row["consent_status"]] += 1
            consent_per_source[source][row["consent_status"]] += 1
            for code in {s["reason_code"] for s in row["optout_signals"] if s["reserved"]}:
                optout[code] += 1
            if row["cluster_id"]:
                clusters[row["cluster_id"]] = row["cluster_size"]
            if row["duplicate_of"]:
                removed_per_source[source] += 1
                removed_kind[row["duplicate_kind"]] += 1
    histogram = Counter(_size_bin(size) for size in clusters.values())
    return StageFigures(
        pii=PiiFigures(
            found=dict(sorted(pii_found.items())),
            documents_with=dict(sorted(pii_docs.items())),
            redacted=dict(sorted(pii_redacted.items())),
            rejected=dict(sorted(pii_rejected.items())),
        ),
        licenses=LicenseFigures(
            categories=dict(sorted(categories.items())),
            # Ties broken by name: `most_common` keeps first-seen order, which follows the
            # ledger's row order and so varied from run to run.
            spdx=dict(sorted(spdx.items(), key=lambda item: (-item[1], item[0]))[:50]),
            conflicts=conflicts,
            per_source={
                k: dict(sorted(v.items())) for k, v in sorted(per_source_categories.items())
            },
        ),
        consent=ConsentFigures(
            status=dict(sorted(consent.items())),
            per_source={k: dict(sorted(v.items())) for k, v in sorted(consent_per_source.items())},
        ),
        optout=OptOutFigures(signals=dict(sorted(optout.items()))),
        dedup=DedupFigures(
            documents=documents,
            clusters=len(clusters),
            cluster_size_histogram=dict(sorted(histogram.items())),
            removed_per_source=dict(sorted(removed_per_source.items())),
            exact_removed=removed_kind.get("exact", 0),
            near_removed=removed_kind.get("near", 0),
        ),
    )


def gate_figures(ledger_dir: str | Path, settings: GateSettings) -> dict[str, GateFigures]:
    """Per source: disqualifying records over all records, against the gate threshold."""
    records: Counter = Counter()
    bad: Counter = Counter()
    for path in parquet_files(ledger_dir):
        table = pq.read_table(path, columns=["source_id", "signals"])
        for source, signals in zip(
            table.column("source_id").to_pylist(), table.column("signals").to_pylist(), strict=True
        ):
            records[source] += 1
            bad[source] += is_disqualifying([s["code"] for s in signals], settings.disqualifying)
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


def size_figures(dataset_dir: str | Path, top_domain_share: float = 0.1) -> SizeFigures:
    """Dataset size (bytes, a 4-bytes-per-token estimate) and the crawled domains by size."""
    per_source: Counter = Counter()
    domains: Counter = Counter()
    for path in parquet_files(dataset_dir):
        parquet = pq.ParquetFile(path)
        columns = ["source_id", "text", "metadata"]
        for batch in parquet.iter_batches(batch_size=4096, columns=columns):
            # Byte lengths in Arrow: decoding every text to Python only to measure it
            # was most of the summary's time on large runs.
            sizes = pc.binary_length(batch.column("text")).to_pylist()
            for source, size, metadata in zip(
                batch.column("source_id").to_pylist(),
                sizes,
                batch.column("metadata").to_pylist(),
                strict=True,
            ):
                per_source[source] += size
                url = dict(metadata).get("url")
                if url:
                    domains[(urlsplit(url).hostname or "").lower()] += size
    total = sum(per_source.values())
    ranked = domains.most_common()
    top = ranked[: max(1, round(len(ranked) * top_domain_share))] if ranked else []
    return SizeFigures(
        dataset_bytes=total,
        dataset_tokens_estimate=total // 4,
        per_source_bytes=dict(sorted(per_source.items())),
        top_domains=tuple((domain, size) for domain, size in top),
    )

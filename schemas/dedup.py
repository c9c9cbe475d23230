"""Records and settings of the near-duplicate stage.

`DedupInput` is what the integrator hands in (the text plus a rank that already
encodes consent, license and source priority); `DedupAssignment` is what comes
back, one per input document, so the ledger can join on `doc_id` without gaps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, model_validator


class DuplicateKind(StrEnum):
    """How a removed copy relates to the kept copy of its cluster."""

    EXACT = "exact"  # identical normalised text to the kept copy
    NEAR = "near"  # linked to the kept copy through verified MinHash edges


@dataclass(frozen=True)
class DedupInput:
    """One document as the dedup stage sees it.

    `rank` is any sortable tuple; lower is better (e.g. consented before
    unknown, permissive license before restricted, then source priority).
    Ties are broken by the smallest `doc_id`, so the choice never depends on
    input order or worker layout.
    """

    doc_id: str
    source_id: str
    text: str
    rank: tuple = ()


@dataclass(frozen=True)
class DedupSketch:
    """What dedup needs of a document once its text has left the record.

    Computed where the text is still in memory (the fused read-and-scan step),
    so the global dedup steps move 0.5 KB per document instead of its text.
    """

    exact_key: str
    signature: bytes  # MinHash minima, packed little-endian uint32, `num_perm` of them


@dataclass(frozen=True)
class DedupFingerprint:
    """A document as the clustering steps see it: identity, keep rank and sketch."""

    doc_id: str
    source_id: str
    sketch: DedupSketch
    rank: tuple = ()
    # Its subject withdrew or refused consent: no copy of this text may be used.
    stops_cluster: bool = False


@dataclass(frozen=True)
class DedupAssignment:
    """The stage's verdict on one input document.

    Documents in no cluster get `cluster_id=None`, `duplicate_of=None`,
    `kind=None` and `cluster_size=1`: every input has exactly one assignment.
    The kept copy of a cluster has `cluster_id` set and `duplicate_of=None`.
    """

    doc_id: str
    cluster_id: str | None
    duplicate_of: str | None
    kind: str | None
    cluster_size: int
    # Some member's subject withdrew or refused consent (`stops_cluster`).
    cluster_withdrawn: bool = False

    @property
    def is_removed(self) -> bool:
        return self.duplicate_of is not None

    def to_row(self) -> dict[str, Any]:
        return asdict(self)


DEDUP_ASSIGNMENT_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("cluster_id", pa.string(), nullable=True),
        pa.field("duplicate_of", pa.string(), nullable=True),
        pa.field("kind", pa.string(), nullable=True),
        pa.field("cluster_size", pa.int64(), nullable=False),
        pa.field("cluster_withdrawn", pa.bool_(), nullable=False),
    ]
)


@dataclass(frozen=True)
class DedupStats:
    """Run-level figures for reports/summary.json (small: one element per run)."""

    documents: int
    clusters: int
    duplicates_removed: int
    cluster_size_histogram: dict[int, int]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["cluster_size_histogram"] = {
            str(size): count for size, count in sorted(self.cluster_size_histogram.items())
        }
        return data


@lru_cache(maxsize=32)
def _lsh_bands_and_rows(
    threshold: float, num_perm: int, false_positive_weight: float, false_negative_weight: float
) -> tuple[int, int]:
    # datasketch's own routine, so our banding is the one MinHashLSH would pick.
    from datasketch.lsh import _optimal_param

    return _optimal_param(threshold, num_perm, false_positive_weight, false_negative_weight)


class DedupSettings(BaseModel):
    """Tunables of the near-duplicate stage (the `dedup:` block of the run config)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    num_perm: int = Field(128, ge=8, le=1024, description="MinHash permutations.")
    threshold: float = Field(
        0.8, gt=0.0, lt=1.0, description="Estimated Jaccard at or above which two docs are near."
    )
    ngram: int = Field(5, ge=1, le=32, description="Words per shingle.")
    seed: int = Field(1, ge=0, description="datasketch MinHash seed (its default is 1).")
    max_bucket_pairs: int = Field(
        45,
        ge=0,
        description=(
            "An LSH bucket whose all-pairs count is at most this is verified pair by pair; a "
            "larger one (boilerplate) pairs each member with the bucket minimum only."
        ),
    )
    batch_size: int = Field(512, ge=1, description="Documents per vectorised MinHash batch.")
    # Connected components run this many large-star/small-star rounds, all of them:
    # a Beam graph is unrolled at construction. Measured (transforms/dedup/components.py,
    # raw edges, no per-bundle forest): a chain of 100,000 docs with random ids needs 13,
    # of 1,000,000 needs 16; the worst order tried, a chain with sorted ids, needs
    # log2(length): 17 and 20; a star needs 1. Real duplicate clusters are short
    # chains of stars: the demo's are settled by the per-bundle forests (no round
    # rewrites an edge), chains of up to 2,000 on 4 workers take 4. 24 covers a
    # million-document chain in its worst order with 4 rounds to spare; a run that
    # needs more fails naming this setting, never splits a cluster.
    max_component_rounds: int = Field(
        24,
        ge=1,
        le=200,
        description="Large-star/small-star rounds of connected components (each two shuffles).",
    )
    # Weights of datasketch's `_optimal_param`. Its 0.5/0.5 default gives 9 bands x 13
    # rows at 0.8, which makes a pair with Jaccard 0.85 a candidate only 69% of the time.
    # Every candidate is verified by estimated Jaccard afterwards, so a false positive
    # of the banding costs a comparison, a false negative costs a missed duplicate:
    # 0.05/0.95 gives 16 x 8 (candidate probability 0.99 at 0.85, 0.95 at 0.8).
    false_positive_weight: float = Field(0.05, ge=0.0, le=1.0)
    false_negative_weight: float = Field(0.95, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _weights_sum_to_one(self) -> DedupSettings:
        total = self.false_positive_weight + self.false_negative_weight
        if abs(total - 1.0) > 1e-9:
            raise ValueError(
                "dedup.false_positive_weight + dedup.false_negative_weight must be 1.0, "
                f"got {total}; fix one of them"
            )
        return self

    @property
    def bands_and_rows(self) -> tuple[int, int]:
        """(bands, rows per band) from datasketch's optimal-parameter routine."""
        return _lsh_bands_and_rows(
            self.threshold, self.num_perm, self.false_positive_weight, self.false_negative_weight
        )

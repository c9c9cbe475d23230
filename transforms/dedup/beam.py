"""Beam wiring of the near-duplicate stage; all logic lives in `transforms/dedup/core.py`.

Graph (every arrow a distributed step unless marked):

    DedupInput --batch--> Sketch (normalise, exact key, vectorised MinHash) -> DedupFingerprint
    DedupFingerprint --> Index (member info, exact key, band keys)      [no text from here on]
      exact key  --GroupByKey--> star edges (group minimum -> every other member)
      band shard (entries packed per bundle)
                 --GroupByKey--> buckets (by full band key) -> candidate pairs -> verified
                                 edges (estimated Jaccard from 8-bit compacted minima,
                                 corrected for chance agreement)
      edges --per-bundle spanning forest--> large-star/small-star rounds, every one a
                 GroupByKey by doc id (`components_beam.py`) --> (doc -> smallest doc_id)
      (doc -> component root) CoGroupByKey (doc -> member) --GroupByKey(root)--> keep choice

No step groups the corpus under one key. Memory per worker (docs/design.md, Known
limits; keep in sync): every step holds one key's values, no text. The largest are
one cluster's: its root's neighbour list in the last component rounds (one doc id
per member) and its member list when choosing the kept copy (about 0.3 KB per
member). The component rounds cost shuffles instead: each round moves every
duplicate edge three times (about 0.2 KB per document that has a duplicate), and all
`max_component_rounds` rounds run, settled or not, because the graph is unrolled.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindows

from schemas.dedup import (
    DedupAssignment,
    DedupFingerprint,
    DedupInput,
    DedupSettings,
    DedupStats,
)
from transforms.dedup.components_beam import ConnectedComponents
from transforms.dedup.core import (
    BAND_KEY_BYTES,
    ClusterMember,
    MinHasher,
    assign_cluster,
    band_keys,
    compact_signature,
    is_empty_signature,
    normalise_text,
    singleton_assignment,
    sketch_texts,
    to_lean_minhash,
    unpack_signature,
    verified_edges,
)

NAMESPACE = "dedup"
_MEMBERS, _EXACT, _BANDS = "members", "exact", "bands"
SHARD_KEY_BYTES = 3  # band index + first byte of the band hash: 256 shards per band
SHARD_BUFFER_BYTES = 16 << 20  # band entries an Index worker holds before sending them on


class SketchInputs(beam.DoFn):
    """Batch of DedupInput -> one DedupFingerprint each (vectorised MinHash over the batch)."""

    def __init__(self, settings: DedupSettings) -> None:
        self._settings = settings

    def setup(self) -> None:
        self._hasher = MinHasher.from_settings(self._settings)

    def process(self, batch: list[DedupInput]) -> Iterator[DedupFingerprint]:
        sketches = sketch_texts(self._hasher, [doc.text for doc in batch])
        for doc, sketch in zip(batch, sketches, strict=True):
            yield DedupFingerprint(doc.doc_id, doc.source_id, sketch, doc.rank)


class _Index(beam.DoFn):
    """DedupFingerprint -> member info, exact key, LSH band entries (tagged outputs).

    Band entries leave packed: per bundle, one bytes value per shard holding all the
    bundle's entries for it (`append_entry`), flushed every SHARD_BUFFER_BYTES. The
    local runner groups in its launcher, one Python object per grouped value, single-
    threaded: 16 entries per document were seconds of launcher time per 100,000
    documents while both workers waited; packed, they are a few thousand values.
    """

    def __init__(self, bands: int, rows: int) -> None:
        self._bands, self._rows = bands, rows
        self._documents = Metrics.counter(NAMESPACE, "documents")
        self._without_shingles = Metrics.counter(NAMESPACE, "documents_without_shingles")

    def start_bundle(self) -> None:
        self._shards: dict[bytes, bytearray] = {}
        self._buffered = 0

    def process(self, fingerprint: DedupFingerprint) -> Iterator:
        doc_id, sketch = fingerprint.doc_id, fingerprint.sketch
        self._documents.inc()
        member = ClusterMember(
            doc_id,
            fingerprint.source_id,
            fingerprint.rank,
            sketch.exact_key,
            fingerprint.stops_cluster,
        )
        yield beam.pvalue.TaggedOutput(_MEMBERS, (doc_id, member))
        yield beam.pvalue.TaggedOutput(_EXACT, (sketch.exact_key, doc_id))
        signature = unpack_signature(sketch.signature)
        if is_empty_signature(signature):
            # Empty docs would all share every bucket; exact grouping covers them.
            self._without_shingles.inc()
            return
        entry = band_entry(doc_id, compact_signature(signature))
        for band_key in band_keys(signature, self._bands, self._rows):
            shard = self._shards.setdefault(band_key[:SHARD_KEY_BYTES], bytearray())
            self._buffered += append_entry(shard, band_key + entry)
        if self._buffered >= SHARD_BUFFER_BYTES:
            for shard_key, packed in self._take_shards():
                yield beam.pvalue.TaggedOutput(_BANDS, (shard_key, packed))

    def finish_bundle(self) -> Iterator:
        for shard_key, packed in self._take_shards():
            yield beam.pvalue.TaggedOutput(
                _BANDS, GlobalWindows.windowed_value((shard_key, packed))
            )

    def _take_shards(self) -> list[tuple[bytes, bytes]]:
        shards = [(key, bytes(packed)) for key, packed in sorted(self._shards.items())]
        self._shards, self._buffered = {}, 0
        return shards


def append_entry(packed: bytearray, entry: bytes) -> int:
    """Appends one length-prefixed entry; returns the bytes added."""
    packed += len(entry).to_bytes(4, "big")
    packed += entry
    return len(entry) + 4


def unpack_entries(packed: bytes) -> Iterator[bytes]:
    """The entries `append_entry` put in `packed`, in order."""
    view, position = memoryview(packed), 0
    while position < len(packed):
        size = int.from_bytes(view[position : position + 4], "big")
        yield bytes(view[position + 4 : position + 4 + size])
        position += 4 + size


def band_entry(doc_id: str, compact: np.ndarray) -> bytes:
    """One LSH bucket entry as a single bytes value: minima count, minima, doc_id.

    The local runner decodes every grouped value in the launcher; a (doc_id,
    minima) tuple there costs two more objects per entry, 16 entries per document.
    """
    return len(compact).to_bytes(2, "big") + compact.tobytes() + doc_id.encode("utf-8")


def read_band_entry(entry: bytes) -> tuple[str, np.ndarray]:
    size = int.from_bytes(entry[:2], "big")
    return entry[2 + size :].decode("utf-8"), np.frombuffer(entry, np.uint8, size, 2)


def _exact_group_edges(item: tuple[str, Iterable[str]]) -> Iterator[tuple[str, str]]:
    """Star edges from the group's smallest doc_id: linear in the group size."""
    _, doc_ids = item
    anchor = min(doc_ids)  # two passes over the re-iterable group: never materialised
    for other in doc_ids:
        if other != anchor:
            yield anchor, other


class _UnpackedSignatures:
    """Re-iterable view of a bucket's entries as (doc_id, compact signature), decoded lazily."""

    def __init__(self, entries: Iterable[bytes]) -> None:
        self._entries = entries

    def __iter__(self) -> Iterator[tuple[str, np.ndarray]]:
        for entry in self._entries:
            yield read_band_entry(entry)


class _VerifyShard(beam.DoFn):
    """The LSH buckets of one shard -> verified near-duplicate edges.

    Buckets are grouped by shard (band index + first byte of the band hash), not
    one by one: almost every bucket holds one document, and the local runner's
    launcher spent seconds, single-threaded, grouping ~1.5 million one-entry
    buckets per 100,000 documents while the workers waited. A shard holds about
    1/4096 of the corpus's bucket entries (16 bands x 256), split into its buckets
    here; then each bucket is verified exactly as before.
    """

    def __init__(self, threshold: float, max_bucket_pairs: int) -> None:
        self._threshold = threshold
        self._max_bucket_pairs = max_bucket_pairs
        self._candidates = Metrics.counter(NAMESPACE, "candidate_pairs")
        self._verified = Metrics.counter(NAMESPACE, "verified_pairs")
        self._rejected = Metrics.counter(NAMESPACE, "rejected_pairs")
        self._pairs_per_bucket = Metrics.distribution(NAMESPACE, "candidate_pairs_per_bucket")

    def process(self, item: tuple[bytes, Iterable[bytes]]) -> Iterator:
        _, packed_groups = item
        buckets: dict[bytes, list[bytes]] = {}
        for packed in packed_groups:
            for entry in unpack_entries(packed):
                buckets.setdefault(entry[:BAND_KEY_BYTES], []).append(entry[BAND_KEY_BYTES:])
        for bucket in buckets.values():
            if len(bucket) < 2:
                continue
            members = _UnpackedSignatures(bucket)
            edges, examined = verified_edges(members, self._threshold, self._max_bucket_pairs)
            if not examined:
                continue
            self._pairs_per_bucket.update(examined)
            self._candidates.inc(examined)
            self._verified.inc(len(edges))
            self._rejected.inc(examined - len(edges))
            yield from edges


class _RouteMember(beam.DoFn):
    """Docs with a component go to their root's group; the rest get a singleton assignment."""

    CLUSTERED = "clustered"

    def process(self, item: tuple[str, dict]) -> Iterator:
        doc_id, joined = item
        members, roots = list(joined[_MEMBERS]), list(joined["roots"])
        for member in members:
            if roots:
                yield beam.pvalue.TaggedOutput(self.CLUSTERED, (roots[0], member))
            else:
                yield singleton_assignment(doc_id)


class _AssignCluster(beam.DoFn):
    def __init__(self) -> None:
        self._clusters = Metrics.counter(NAMESPACE, "clusters")
        self._removed = Metrics.counter(NAMESPACE, "duplicates_removed")
        self._cluster_size = Metrics.distribution(NAMESPACE, "cluster_size")

    def process(self, item: tuple[str, Iterable[ClusterMember]]) -> Iterator[DedupAssignment]:
        _, members = item
        members = list(members)
        assignments = assign_cluster(members)
        source_of = {member.doc_id: member.source_id for member in members}
        self._clusters.inc()
        self._cluster_size.update(len(assignments))
        for assignment in assignments:
            if assignment.is_removed:
                self._removed.inc()
                source = source_of[assignment.doc_id]
                Metrics.counter(NAMESPACE, f"duplicates_removed.{source}").inc()
        yield from assignments


class NearDuplicates(beam.PTransform):
    """PCollection[DedupInput] -> PCollection[DedupAssignment], exactly one per input.

    Exact and near duplicates are merged into one component per cluster; the
    kept copy is the best `rank`, then the smallest doc_id. Results do not
    depend on worker count, bundle layout or input order.
    """

    def __init__(self, settings: DedupSettings | None = None) -> None:
        super().__init__()
        self._settings = settings or DedupSettings()

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        s = self._settings
        if not s.enabled:
            return docs | "NoDedup" >> beam.Map(lambda doc: singleton_assignment(doc.doc_id))
        return (
            docs
            | "Batch" >> beam.BatchElements(min_batch_size=1, max_batch_size=s.batch_size)
            | "Sketch" >> beam.ParDo(SketchInputs(s))
            | "Cluster" >> ClusterFingerprints(s)
        )


class ClusterFingerprints(beam.PTransform):
    """PCollection[DedupFingerprint] -> PCollection[DedupAssignment], exactly one per input.

    The part of the stage that never sees text, so callers can compute sketches
    where the text already is and send only 0.5 KB per document onwards.
    """

    def __init__(self, settings: DedupSettings | None = None) -> None:
        super().__init__()
        self._settings = settings or DedupSettings()

    def expand(self, fingerprints: beam.PCollection) -> beam.PCollection:
        s = self._settings
        if not s.enabled:
            return fingerprints | "NoDedup" >> beam.Map(lambda fp: singleton_assignment(fp.doc_id))
        bands, rows = s.bands_and_rows  # computed once at construction, not per worker
        indexed = fingerprints | "Index" >> beam.ParDo(_Index(bands, rows)).with_outputs(
            _MEMBERS, _EXACT, _BANDS
        )
        exact_edges = (
            indexed[_EXACT]
            | "GroupExact" >> beam.GroupByKey()
            | "ExactEdges" >> beam.FlatMap(_exact_group_edges)
        )
        near_edges = (
            indexed[_BANDS]
            | "GroupBuckets" >> beam.GroupByKey()
            | "VerifyBuckets" >> beam.ParDo(_VerifyShard(s.threshold, s.max_bucket_pairs))
        )
        roots = (
            (exact_edges, near_edges)
            | "AllEdges" >> beam.Flatten()
            | "Components" >> ConnectedComponents(s.max_component_rounds)
        )
        routed = (
            {_MEMBERS: indexed[_MEMBERS], "roots": roots}
            | "JoinRoots" >> beam.CoGroupByKey()
            | "Route"
            >> beam.ParDo(_RouteMember()).with_outputs(_RouteMember.CLUSTERED, main="single")
        )
        clustered = (
            routed[_RouteMember.CLUSTERED]
            | "GroupClusters" >> beam.GroupByKey()
            | "KeepChoice" >> beam.ParDo(_AssignCluster())
        )
        return (routed.single, clustered) | "Assignments" >> beam.Flatten()


class _StatsFn(beam.CombineFn):
    def create_accumulator(self) -> tuple[int, int, dict[int, int]]:
        return 0, 0, {}

    def add_input(self, acc, assignment: DedupAssignment):
        documents, removed, histogram = acc
        if assignment.cluster_id is not None and not assignment.is_removed:
            size = assignment.cluster_size
            histogram[size] = histogram.get(size, 0) + 1
        return documents + 1, removed + int(assignment.is_removed), histogram

    def merge_accumulators(self, accumulators):
        documents, removed, histogram = 0, 0, {}
        for docs, rem, hist in accumulators:
            documents, removed = documents + docs, removed + rem
            for size, count in hist.items():
                histogram[size] = histogram.get(size, 0) + count
        return documents, removed, histogram

    def extract_output(self, acc) -> DedupStats:
        documents, removed, histogram = acc
        return DedupStats(
            documents, sum(histogram.values()), removed, dict(sorted(histogram.items()))
        )


class DedupStatistics(beam.PTransform):
    """PCollection[DedupAssignment] -> one DedupStats (cluster-size histogram for the summary)."""

    def expand(self, assignments: beam.PCollection) -> beam.PCollection:
        return assignments | "Stats" >> beam.CombineGlobally(_StatsFn())


class _Sign(beam.DoFn):
    def __init__(self, settings: DedupSettings) -> None:
        self._settings = settings

    def setup(self) -> None:
        self._hasher = MinHasher.from_settings(self._settings)

    def process(self, batch: list[DedupInput]) -> Iterator:
        texts = [normalise_text(doc.text) for doc in batch]
        for doc, row in zip(batch, self._hasher.signatures_for_texts(texts), strict=True):
            yield doc.doc_id, to_lean_minhash(row, self._settings.seed)


class MinHashSignatures(beam.PTransform):
    """PCollection[DedupInput] -> (doc_id, datasketch LeanMinHash), for users who keep sketches."""

    def __init__(self, settings: DedupSettings | None = None) -> None:
        super().__init__()
        self._settings = settings or DedupSettings()

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        s = self._settings
        return (
            docs
            | "Batch" >> beam.BatchElements(min_batch_size=1, max_batch_size=s.batch_size)
            | "Sign" >> beam.ParDo(_Sign(s))
        )

"""Connected components through Beam: same clusters as a union-find, and no step under one key."""

from __future__ import annotations

import json
import random
from pathlib import Path

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.transforms.core import GroupByKey

from schemas.dedup import DedupAssignment, DedupFingerprint, DedupSettings, DedupSketch
from transforms.dedup.beam import ClusterFingerprints
from transforms.dedup.components import LAST_ROUND_CHANGES, round_counter
from transforms.dedup.components_beam import StarComponents
from transforms.dedup.core import UnionFind, cluster_id_for

FN_API_RUNNER = "apache_beam.runners.portability.fn_api_runner.fn_runner.FnApiRunner"
BANDS, ROWS = DedupSettings().bands_and_rows
# A band's rows change together every WINDOW documents along a chain, band b shifted
# by b mod WINDOW: neighbours differ in 2 of 16 bands (estimated Jaccard 0.875, a verified edge),
# documents two apart in 4 (0.75, rejected). So the duplicate graph is a true chain,
# and every LSH bucket holds WINDOW documents, few enough to be verified pair by pair.
WINDOW = 8
CHAIN_LENGTHS = (200, 700, 2000)
STAR_SIZE, SINGLETONS = 300, 200


def options(workers: int = 4) -> PipelineOptions:
    # Several workers split each step's input into bundles, so the per-bundle forest
    # leaves cross-bundle links for the rounds to join.
    return PipelineOptions(
        [
            f"--runner={FN_API_RUNNER}",
            "--direct_running_mode=multi_threading",
            f"--direct_num_workers={workers}",
        ]
    )


def fingerprint(doc_id: str, signature: np.ndarray, rank: int, exact: str) -> DedupFingerprint:
    sketch = DedupSketch(exact, signature.astype("<u4").tobytes())
    return DedupFingerprint(doc_id, "crawl", sketch, (rank,))


def chain_signatures(length: int, rng: np.random.Generator) -> list[np.ndarray]:
    groups = length // WINDOW + 2
    values = rng.integers(0, 2**32 - 1, size=(BANDS, groups, ROWS), dtype=np.uint64)
    return [
        np.concatenate([values[band, (i + band % WINDOW) // WINDOW] for band in range(BANDS)])
        for i in range(length)
    ]


def corpus(seed: int = 0) -> tuple[list[DedupFingerprint], list[tuple[str, str]]]:
    """Long chains, an exact-copy star and singletons with shuffled random ids; plus the
    pairs that link them, from the construction alone (not from the stage)."""
    rng, numbers = random.Random(seed), np.random.default_rng(seed)

    def new_id() -> str:
        return f"{rng.getrandbits(128):032x}"

    docs, links = [], []
    for number, length in enumerate(CHAIN_LENGTHS):
        ids = [new_id() for _ in range(length)]
        for doc_id, signature in zip(ids, chain_signatures(length, numbers), strict=True):
            docs.append(fingerprint(doc_id, signature, rng.randrange(3), f"chain{number}-{doc_id}"))
        links += list(zip(ids, ids[1:], strict=False))
    star = [new_id() for _ in range(STAR_SIZE)]
    same_text = numbers.integers(0, 2**32 - 1, size=BANDS * ROWS, dtype=np.uint64)
    docs += [fingerprint(doc_id, same_text, rng.randrange(3), "star") for doc_id in star]
    links += [(star[0], other) for other in star[1:]]
    for _ in range(SINGLETONS):
        alone = numbers.integers(0, 2**32 - 1, size=BANDS * ROWS, dtype=np.uint64)
        doc_id = new_id()
        docs.append(fingerprint(doc_id, alone, 0, f"single-{doc_id}"))
    rng.shuffle(docs)
    return docs, links


def expected_assignments(docs: list[DedupFingerprint], links) -> dict[str, DedupAssignment]:
    forest = UnionFind()
    for a, b in links:
        forest.union(a, b)
    components: dict[str, list[DedupFingerprint]] = {}
    roots = dict(forest.roots())
    for doc in docs:
        components.setdefault(roots.get(doc.doc_id, doc.doc_id), []).append(doc)
    expected = {}
    for root, members in components.items():
        if len(members) == 1:
            expected[root] = DedupAssignment(root, None, None, None, 1)
            continue
        kept = min(members, key=lambda doc: (doc.rank, doc.doc_id))
        for doc in members:
            removed = doc.doc_id != kept.doc_id
            kind = (
                ("exact" if doc.sketch.exact_key == kept.sketch.exact_key else "near")
                if removed
                else None
            )
            expected[doc.doc_id] = DedupAssignment(
                doc.doc_id,
                cluster_id_for(root),
                kept.doc_id if removed else None,
                kind,
                len(members),
            )
    return expected


class _CountKey(beam.DoFn):
    def __init__(self, label: str) -> None:
        self._keys = Metrics.counter("test.keys", label)

    def process(self, key):
        self._keys.inc()
        return iter(())


def count_distinct_keys_of_every_group_by_key(pipeline: beam.Pipeline, under: str) -> None:
    """Taps the input of every GroupByKey inside `under` with a distinct-key counter."""
    found = []

    class Visitor(beam.pipeline.PipelineVisitor):
        def visit_transform(self, node) -> None:
            if isinstance(node.transform, GroupByKey) and node.full_label.startswith(under):
                found.append((node.full_label, node.inputs[0]))

    pipeline.visit(Visitor())
    for number, (label, grouped) in enumerate(found):
        _ = (
            grouped
            | f"TapKeys{number}" >> beam.Map(lambda item: item[0])
            | f"TapDistinct{number}" >> beam.Distinct()
            | f"TapCount{number}" >> beam.ParDo(_CountKey(label))
        )


@pytest.fixture(scope="module")
def chain_run(tmp_path_factory):
    docs, links = corpus()
    out = tmp_path_factory.mktemp("components") / "assignments.jsonl"
    pipeline = beam.Pipeline(options=options())
    _ = (
        pipeline
        | beam.Create(docs)
        | "ClusterFingerprints" >> ClusterFingerprints(DedupSettings())
        | beam.Map(lambda assignment: json.dumps(assignment.to_row()))
        | beam.io.WriteToText(str(out), shard_name_template="")
    )
    count_distinct_keys_of_every_group_by_key(pipeline, "ClusterFingerprints/")
    result = pipeline.run()
    result.wait_until_finish()
    rows = [DedupAssignment(**json.loads(line)) for line in Path(out).read_text().splitlines()]
    counters = {
        f"{c.key.metric.namespace}/{c.key.metric.name}": c.committed
        for c in result.metrics().query(MetricsFilter())["counters"]
    }
    return docs, links, rows, counters


def test_long_duplicate_chains_give_the_union_find_clusters_and_kept_copies(chain_run):
    docs, links, rows, _ = chain_run
    assert len(rows) == len(docs)
    assert {row.doc_id: row for row in rows} == expected_assignments(docs, links)


def test_long_chains_need_rounds_and_settle_before_the_last(chain_run):
    *_, counters = chain_run
    assert counters[f"dedup/{round_counter(1)}"] > 0
    assert counters.get(f"dedup/{LAST_ROUND_CHANGES}", 0) == 0
    assert counters["dedup/component_documents"] == sum(CHAIN_LENGTHS) + STAR_SIZE


def test_no_group_by_key_in_dedup_gets_its_elements_under_one_key(chain_run):
    *_, counters = chain_run
    keys = {name: value for name, value in counters.items() if name.startswith("test.keys/")}
    components = len(CHAIN_LENGTHS) + 1
    assert any("Components/" in name for name in keys)
    assert len(keys) >= 8  # exact, buckets, every round's two steps, settle, join, clusters
    for name, distinct in keys.items():
        assert distinct > 1, name
        if "Components/" in name:
            assert distinct >= components, name


def chain_edges(length: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    ids = [f"{rng.getrandbits(128):032x}" for _ in range(length)]
    return list(zip(ids, ids[1:], strict=False))


def test_rounds_alone_settle_raw_chains_to_their_smallest_id(tmp_path):
    edges = chain_edges(1500, 1) + chain_edges(400, 2)
    forest = UnionFind()
    for a, b in edges:
        forest.union(a, b)
    out = tmp_path / "roots.jsonl"
    with beam.Pipeline(options=options(1)) as pipeline:
        _ = (
            pipeline
            | beam.Create(edges)
            | StarComponents(DedupSettings().max_component_rounds)
            | beam.Map(json.dumps)
            | beam.io.WriteToText(str(out), shard_name_template="")
        )
    assert dict(json.loads(line) for line in out.read_text().splitlines()) == dict(forest.roots())


def test_too_small_a_round_budget_fails_the_pipeline_naming_the_setting():
    pipeline = beam.Pipeline(options=options(1))
    _ = pipeline | beam.Create(chain_edges(2000, 3)) | StarComponents(2)
    with pytest.raises(Exception, match=r"dedup\.max_component_rounds=2 rounds"):
        pipeline.run().wait_until_finish()

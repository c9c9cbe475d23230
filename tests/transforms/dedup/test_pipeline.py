"""Specifications of the NearDuplicates PTransform, run on Beam's FnApiRunner."""

from __future__ import annotations

import json
import random
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions

from schemas.dedup import DedupAssignment, DedupInput, DedupSettings
from transforms.dedup.beam import DedupStatistics, MinHashSignatures, NearDuplicates

REPO_ROOT = Path(__file__).resolve().parents[3]
FN_API_RUNNER = "apache_beam.runners.portability.fn_api_runner.fn_runner.FnApiRunner"
VOCABULARY = [f"word{i}" for i in range(5000)]


def runner_options(mode: str = "in_memory", workers: int = 1) -> PipelineOptions:
    return PipelineOptions(
        [
            f"--runner={FN_API_RUNNER}",
            f"--direct_running_mode={mode}",
            f"--direct_num_workers={workers}",
        ]
    )


def run_dedup(docs, tmp_path: Path, options: PipelineOptions, settings=None):
    """Run the transform, return (assignments by doc_id, stats dict, counters by name)."""
    out, stats = tmp_path / "assignments.jsonl", tmp_path / "stats.json"
    pipeline = beam.Pipeline(options=options)
    assignments = pipeline | beam.Create(docs) | NearDuplicates(settings or DedupSettings())
    _ = (
        assignments
        | "Rows" >> beam.Map(lambda a: json.dumps(a.to_row()))
        | "Write" >> beam.io.WriteToText(str(out), shard_name_template="")
    )
    _ = (
        assignments
        | DedupStatistics()
        | "StatsJson" >> beam.Map(lambda s: json.dumps(s.to_json()))
        | "WriteStats" >> beam.io.WriteToText(str(stats), shard_name_template="")
    )
    result = pipeline.run()
    result.wait_until_finish()
    rows = [DedupAssignment(**json.loads(line)) for line in out.read_text().splitlines()]
    counters = {
        c.key.metric.name: c.committed for c in result.metrics().query(MetricsFilter())["counters"]
    }
    return {row.doc_id: row for row in rows}, rows, json.loads(stats.read_text()), counters


@pytest.fixture(autouse=True)
def _workers_can_import_the_project(monkeypatch):
    # Multi-process workers are fresh interpreters: they need the repo on their path.
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))


def corpus() -> list[DedupInput]:
    """60 originals; every 3rd has a near copy (one word changed), every 5th an exact copy."""
    rng = random.Random(0)
    docs = []
    for i in range(60):
        words = [rng.choice(VOCABULARY) for _ in range(120)]
        docs.append(DedupInput(f"doc{i:03d}-a", "crawl", " ".join(words), (2,)))
        if i % 3 == 0:
            near = list(words)
            near[60] = "changed"
            docs.append(DedupInput(f"doc{i:03d}-b", "licensed", " ".join(near), (0,)))
        if i % 5 == 0:
            shouted = " ".join(words).upper() + "\n"
            docs.append(DedupInput(f"doc{i:03d}-c", "forum", shouted, (1,)))
    return docs


@pytest.fixture(scope="module")
def in_memory_result(tmp_path_factory):
    return run_dedup(corpus(), tmp_path_factory.mktemp("dedup"), runner_options())


def test_every_input_gets_exactly_one_assignment(in_memory_result):
    by_id, rows, _, _ = in_memory_result
    assert len(rows) == len(corpus())
    assert set(by_id) == {doc.doc_id for doc in corpus()}


def test_document_without_duplicates_has_no_cluster(in_memory_result):
    by_id, _, _, _ = in_memory_result
    assert by_id["doc001-a"] == DedupAssignment("doc001-a", None, None, None, 1)


def test_exact_copy_with_worse_rank_is_removed_as_exact_duplicate(in_memory_result):
    by_id, _, _, _ = in_memory_result
    # doc005-c (forum, rank 1) is the same text shouted; it beats the crawl copy (rank 2).
    assert by_id["doc005-a"].duplicate_of == "doc005-c"
    assert by_id["doc005-a"].kind == "exact"
    assert by_id["doc005-c"].duplicate_of is None


def test_near_copy_with_best_rank_is_kept_and_others_point_to_it(in_memory_result):
    by_id, _, _, _ = in_memory_result
    assert by_id["doc015-b"].duplicate_of is None
    assert by_id["doc015-a"].duplicate_of == "doc015-b"
    assert by_id["doc015-a"].kind == "near"
    assert by_id["doc015-c"].duplicate_of == "doc015-b"
    assert {by_id[f"doc015-{s}"].cluster_id for s in "abc"} == {"dup-doc015-a"}
    assert by_id["doc015-a"].cluster_size == 3


def test_stats_report_cluster_size_histogram(in_memory_result):
    _, _, stats, _ = in_memory_result
    # 20 near pairs (i % 3), 12 exact pairs (i % 5), 4 of them both (i % 15): triples.
    assert stats["cluster_size_histogram"] == {"2": 24, "3": 4}
    assert stats["documents"] == len(corpus())
    assert stats["duplicates_removed"] == 32


def test_counters_count_documents_and_duplicates_removed_per_source(in_memory_result):
    _, _, _, counters = in_memory_result
    assert counters["documents"] == len(corpus())
    assert counters["clusters"] == 28
    # Crawl copies (worst rank) always go; forum copies only when a licensed one exists.
    assert counters["duplicates_removed.crawl"] == 28
    assert counters["duplicates_removed.forum"] == 4
    assert "duplicates_removed.licensed" not in counters


def test_two_worker_processes_give_the_same_assignments(in_memory_result, tmp_path):
    _, rows, _, _ = in_memory_result
    _, two_workers, _, _ = run_dedup(corpus(), tmp_path, runner_options("multi_processing", 2))
    assert sorted(two_workers, key=str) == sorted(rows, key=str)


def test_shuffled_input_gives_the_same_assignments(in_memory_result, tmp_path):
    _, rows, _, _ = in_memory_result
    shuffled = corpus()
    random.Random(42).shuffle(shuffled)
    _, again, _, _ = run_dedup(shuffled, tmp_path, runner_options())
    assert sorted(again, key=str) == sorted(rows, key=str)


def test_band_entries_sent_after_every_document_give_the_same_assignments(
    in_memory_result, tmp_path, monkeypatch
):
    from transforms.dedup import beam as dedup_beam

    _, rows, _, _ = in_memory_result
    monkeypatch.setattr(dedup_beam, "SHARD_BUFFER_BYTES", 1)  # flush per document
    _, again, _, _ = run_dedup(corpus(), tmp_path, runner_options())
    assert sorted(again, key=str) == sorted(rows, key=str)


def test_ten_thousand_boilerplate_documents_generate_linear_candidate_pairs(tmp_path):
    boilerplate = " ".join(VOCABULARY[:200])
    docs = [
        DedupInput(f"page{i:05d}", "crawl", f"{boilerplate} footer {i}", ()) for i in range(10_000)
    ]
    settings = DedupSettings()
    by_id, _, _, counters = run_dedup(docs, tmp_path, runner_options(), settings)
    bands, _ = settings.bands_and_rows
    assert counters["candidate_pairs"] <= bands * len(docs)
    assert {a.duplicate_of for a in by_id.values()} == {None, "page00000"}
    assert by_id["page00000"].cluster_size == 10_000


def test_disabled_stage_assigns_every_document_to_no_cluster(tmp_path):
    by_id, _, _, _ = run_dedup(corpus(), tmp_path, runner_options(), DedupSettings(enabled=False))
    assert all(a.cluster_id is None for a in by_id.values())
    assert len(by_id) == len(corpus())


def test_signatures_transform_yields_datasketch_lean_minhashes():
    from apache_beam.testing.util import assert_that
    from datasketch import LeanMinHash

    docs = corpus()[:3]

    def check(pairs):
        assert sorted(doc_id for doc_id, _ in pairs) == sorted(d.doc_id for d in docs)
        assert all(isinstance(sketch, LeanMinHash) for _, sketch in pairs)
        assert all(sketch.scheme == "affine32" and len(sketch) == 128 for _, sketch in pairs)

    with beam.Pipeline(options=runner_options()) as pipeline:
        sketches = pipeline | beam.Create(docs) | MinHashSignatures(DedupSettings())
        assert_that(sketches, check)


def test_band_entries_round_trip_doc_ids_and_minima():
    import numpy as np

    from transforms.dedup.beam import band_entry, read_band_entry

    minima = np.arange(128, dtype=np.uint8)
    for doc_id in ("a", "kernel-00001.jsonl.gz:L17", "ünïcode/∂oc", ""):
        read_id, read_minima = read_band_entry(band_entry(doc_id, minima))
        assert read_id == doc_id
        assert np.array_equal(read_minima, minima)


def test_packed_entries_unpack_in_order():
    from transforms.dedup.beam import append_entry, unpack_entries

    entries = [b"", b"x", bytes(range(256)) * 300, "ünï".encode()]
    packed = bytearray()
    added = sum(append_entry(packed, entry) for entry in entries)
    assert added == len(packed)
    assert list(unpack_entries(bytes(packed))) == entries

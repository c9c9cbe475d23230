"""The demo on a real Apache Flink cluster through Beam's portable Flink runner.

A JobManager, one or two TaskManagers, Beam's Flink job server and a Python SDK worker
pool, each its own process on 127.0.0.1 (`pipelines/run/flink_cluster.py`), run the demo;
its outputs must equal the local default's, byte for byte in content. The jars come from
`bash tools/flink/fetch.sh`. Without them the test skips, saying so, unless
PROVENANCE_REQUIRE_FLINK=1 (CI sets it), where a missing jar is a failure.

Marked `flink` and left out of the plain `pytest` run (a few minutes on two cores):
run it with `pytest -m flink tests/pipelines/run/test_flink_runner.py`.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from pipelines.run.flink_cluster import FlinkCluster, jar_directory, missing_jars
from tests.conftest import DEMO_CONFIG, REPO, run_cli
from tests.pipelines.commands.conftest import (
    NEAR_COPIES,
    NEW_PAGES,
    copy_demo,
    rows_by_doc_id,
    the_next_day,
)

pytestmark = pytest.mark.flink
REQUIRE_ENV = "PROVENANCE_REQUIRE_FLINK"


@pytest.fixture(scope="module")
def flink_jars():
    problem = missing_jars(jar_directory())
    if problem is None:
        return jar_directory()
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but the Flink cluster cannot start: {problem}")
    pytest.skip(f"Flink test skipped: {problem}")


# How many rounds the duplicate graph needed depends on how the runner cut bundles: each
# bundle first reduces its edges to a spanning forest (transforms/dedup/components_beam.py).
# The components themselves do not; every other counter must be equal.
BUNDLE_DEPENDENT_COUNTERS = ("dedup/component_changes.",)


def _bundle_independent(metrics: dict[str, int]) -> dict[str, int]:
    return {
        name: value
        for name, value in metrics.items()
        if not name.startswith(BUNDLE_DEPENDENT_COUNTERS)
    }


def _clusters(dedup: dict) -> dict:
    return {name: value for name, value in dedup.items() if name != "component_rounds"}


def _read(run, name):
    return json.loads((run / name).read_text(encoding="utf-8"))


def _parallelism_of_finished_job(cluster: FlinkCluster) -> set[int]:
    """The job the run submitted, as the JobManager saw it: finished, and how wide it ran."""
    jobs = cluster.rest("jobs/overview")["jobs"]
    assert [job["state"] for job in jobs] == ["FINISHED"], jobs
    job = cluster.rest(f"jobs/{jobs[0]['jid']}")
    return {vertex["parallelism"] for vertex in job["vertices"]}


def _cluster(tmp_path, flink_jars, task_managers: int) -> FlinkCluster:
    return FlinkCluster(
        task_managers=task_managers,
        lib=flink_jars,
        work=tmp_path / "cluster",
        python=sys.executable,
        python_path=str(REPO),
    )


@pytest.mark.parametrize("task_managers", [1, 2])
def test_flink_cluster_gives_the_same_outputs_as_the_local_default(
    flink_jars, demo_run, tmp_path, task_managers
):
    output = tmp_path / "out"
    with _cluster(tmp_path, flink_jars, task_managers) as cluster:
        code = run_cli("run", DEMO_CONFIG, "--output", output, "--quiet", *cluster.pipeline_args())
        assert code == 0, f"the run on Flink failed\n{cluster.log_tails()}"
        assert task_managers in _parallelism_of_finished_job(cluster)
        # The diff is a Beam job too: on the cluster, the two runs must differ in nothing.
        diff = tmp_path / "diff"
        code = run_cli("diff", demo_run, output, "--output", diff, *cluster.pipeline_args())
        assert code == 0, f"the diff on Flink failed\n{cluster.log_tails()}"
    report = _read(diff, "diff.json")
    assert report["totals"]["unchanged"] == report["totals"]["old_records"] > 0
    assert report["totals"]["new_records"] == report["totals"]["old_records"]
    assert report["decision_changes"] == report["rights_changes"] == []

    flink, local = _read(output, "manifest.json"), _read(demo_run, "manifest.json")
    assert flink["runner"] == "PortableRunner"
    assert flink["content_digests"] == local["content_digests"]
    assert flink["totals"] == local["totals"]
    flink_summary = _read(output, "reports/summary.json")
    local_summary = _read(demo_run, "reports/summary.json")
    for section in ("totals", "sources", "reconciliation", "dedup", "gates"):
        flink_section, local_section = flink_summary[section], local_summary[section]
        if section == "dedup":
            flink_section, local_section = _clusters(flink_section), _clusters(local_section)
        assert flink_section == local_section, section
    flink_metrics = _bundle_independent(flink_summary["metrics"])
    local_metrics = _bundle_independent(local_summary["metrics"])
    differing = {
        name: (flink_metrics.get(name), local_metrics.get(name))
        for name in set(flink_metrics) | set(local_metrics)
        if flink_metrics.get(name) != local_metrics.get(name)
    }
    assert not differing, f"counters (Flink, local) that differ: {differing}"
    assert flink_summary["validation"]["success"] is True


def test_a_run_on_flink_built_on_the_previous_version_equals_a_fresh_run(flink_jars, tmp_path):
    """`run --previous A` on the cluster (the scheduled-run scenario of
    tests/pipelines/commands/conftest.py): the reuse join, the sidecar read-back and the
    scanned branch run across two TaskManagers, and B equals a fresh local run."""
    config = copy_demo(tmp_path)
    a, b, fresh = tmp_path / "A", tmp_path / "B", tmp_path / "FULL"
    assert run_cli("run", config, "--output", a, "--quiet") == 0
    the_next_day(tmp_path)
    assert run_cli("run", config, "--output", fresh, "--quiet") == 0
    with _cluster(tmp_path, flink_jars, task_managers=2) as cluster:
        code = run_cli(
            "run", config, "--output", b, "--previous", a, "--quiet", *cluster.pipeline_args()
        )
        assert code == 0, f"the run on Flink failed\n{cluster.log_tails()}"
        assert 2 in _parallelism_of_finished_job(cluster)
    for output in ("dataset", "ledger", "index"):
        built_on_a, full = rows_by_doc_id(b, output), rows_by_doc_id(fresh, output)
        assert built_on_a.keys() == full.keys(), output
        assert [d for d in full if built_on_a[d] != full[d]] == [], output
    reuse = _read(b, "reports/summary.json")["reuse"]
    new = NEW_PAGES + NEAR_COPIES + 1  # and one post
    assert reuse["reused"] == len(rows_by_doc_id(a, "ledger"))
    assert reuse["rescanned"] == {"new": new}
    assert (
        _read(b, "manifest.json")["previous_version"]["run_id"]
        == _read(a, "manifest.json")["run_id"]
    )

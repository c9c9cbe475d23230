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


def _read(run, name):
    return json.loads((run / name).read_text(encoding="utf-8"))


def _parallelism_of_finished_job(cluster: FlinkCluster) -> set[int]:
    """The job the run submitted, as the JobManager saw it: finished, and how wide it ran."""
    jobs = cluster.rest("jobs/overview")["jobs"]
    assert [job["state"] for job in jobs] == ["FINISHED"], jobs
    job = cluster.rest(f"jobs/{jobs[0]['jid']}")
    return {vertex["parallelism"] for vertex in job["vertices"]}


@pytest.mark.parametrize("task_managers", [1, 2])
def test_flink_cluster_gives_the_same_outputs_as_the_local_default(
    flink_jars, demo_run, tmp_path, task_managers
):
    output = tmp_path / "out"
    with FlinkCluster(
        task_managers=task_managers,
        lib=flink_jars,
        work=tmp_path / "cluster",
        python=sys.executable,
        python_path=str(REPO),
    ) as cluster:
        code = run_cli("run", DEMO_CONFIG, "--output", output, "--quiet", *cluster.pipeline_args())
        assert code == 0, f"the run on Flink failed\n{cluster.log_tails()}"
        assert task_managers in _parallelism_of_finished_job(cluster)

    flink, local = _read(output, "manifest.json"), _read(demo_run, "manifest.json")
    assert flink["runner"] == "PortableRunner"
    assert flink["content_digests"] == local["content_digests"]
    assert flink["totals"] == local["totals"]
    flink_summary = _read(output, "reports/summary.json")
    local_summary = _read(demo_run, "reports/summary.json")
    for section in ("totals", "sources", "reconciliation", "metrics", "dedup", "gates"):
        assert flink_summary[section] == local_summary[section], section
    assert flink_summary["validation"]["success"] is True

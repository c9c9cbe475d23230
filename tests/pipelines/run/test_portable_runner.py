"""The demo through Beam's PortableRunner and its own Python job service (LOOPBACK).

This is the path Flink, Spark and Dataflow use: nothing may depend on the
launching process. The outputs must equal the local default's.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import DEMO_CONFIG, run_cli


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def job_endpoint():
    port = free_port()
    service = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "apache_beam.runners.portability.local_job_service_main",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    else:
        service.kill()
        pytest.fail("the Beam job service did not start within 60 s")
    yield f"localhost:{port}"
    service.terminate()
    service.wait(timeout=30)


def test_portable_runner_gives_the_same_outputs_as_the_local_default(
    job_endpoint, demo_run, tmp_path
):
    args = [
        "--runner=PortableRunner",
        f"--job_endpoint={job_endpoint}",
        "--environment_type=LOOPBACK",
    ]
    assert run_cli("run", DEMO_CONFIG, "--output", tmp_path, "--quiet", *args) == 0
    portable = json.loads((tmp_path / "manifest.json").read_text())
    local = json.loads((demo_run / "manifest.json").read_text())
    assert portable["runner"] == "PortableRunner"
    assert portable["content_digests"] == local["content_digests"]
    assert portable["totals"] == local["totals"]

"""The Flink cluster launcher and its worker pool, without Flink: what they do when things fail.

The real cluster runs in `test_flink_runner.py` (marked `flink`); these cover the paths
it must get right on a machine where something is missing or a process dies.
"""

from __future__ import annotations

import os
import stat
import sys

import pytest
from apache_beam.portability.api import beam_fn_api_pb2
from apache_beam.runners.worker import data_plane, sdk_worker, worker_pool_main

from pipelines.run.flink_cluster import ClusterError, FlinkCluster, Ports, flink_configuration
from pipelines.run.flink_worker_pool import SharedWorkerPool, run_sdk_worker

NEEDED_JARS = ("flink-runtime-1.jar", "flink-rpc-akka-loader-1.jar", "beam-runners-flink-1.jar")


def test_missing_jars_stop_the_start_with_the_fetch_command(tmp_path):
    (tmp_path / NEEDED_JARS[0]).write_bytes(b"")
    cluster = FlinkCluster(lib=tmp_path, work=tmp_path / "work")
    with pytest.raises(ClusterError, match=r"flink-rpc-akka-loader-\*\.jar.*tools/flink/fetch.sh"):
        cluster.start()


def test_a_process_that_dies_while_starting_fails_with_its_log_and_leaves_nothing(tmp_path):
    for name in NEEDED_JARS:
        (tmp_path / name).write_bytes(b"")
    java = tmp_path / "java"
    java.write_text("#!/bin/sh\necho 'JobManager cannot bind its port' >&2\nexit 3\n")
    java.chmod(java.stat().st_mode | stat.S_IEXEC)
    cluster = FlinkCluster(lib=tmp_path, work=tmp_path / "work", java=str(java), timeout=30)
    started: list[int] = []
    spawn = cluster._spawn

    def spawn_and_note(*args, **kwargs):
        spawn(*args, **kwargs)
        started.extend(cluster.process_ids().values())

    cluster._spawn = spawn_and_note  # type: ignore[method-assign]
    with pytest.raises(ClusterError) as failure:
        cluster.start()
    assert started, "the fake JobManager was never started"
    message = str(failure.value)
    assert "jobmanager exited (3)" in message
    assert "JobManager cannot bind its port" in message
    assert cluster.process_ids() == {}  # stop() ran and forgot them
    for pid in started:
        with pytest.raises(ProcessLookupError):
            os.killpg(pid, 0)  # no process group of a started process is left


def test_every_address_is_the_loopback_one(tmp_path):
    settings = flink_configuration(Ports(), tmp_path, parallelism=2)
    hosts = {key: value for key, value in settings.items() if key.endswith(("address", "host"))}
    assert hosts and set(hosts.values()) == {"127.0.0.1"}
    assert settings["parallelism.default"] == "2"


class _FakeWorker:
    def __init__(self, *args, **kwargs) -> None:
        self.stopped = False

    def poll(self):
        return None

    def terminate(self) -> None:
        self.stopped = True

    kill = terminate

    def wait(self, timeout=None) -> int:
        return 0


def test_a_stop_from_one_task_manager_leaves_another_s_same_numbered_worker_running(monkeypatch):
    """Two TaskManagers both name their first worker "1-1"; Beam's pool would kill the wrong one."""
    started: list[_FakeWorker] = []

    def popen(*args, **kwargs):
        started.append(_FakeWorker())
        return started[-1]

    monkeypatch.setattr(worker_pool_main.subprocess, "Popen", popen)
    pool = SharedWorkerPool(use_process=True)
    for control_port in (40001, 40002):
        request = beam_fn_api_pb2.StartWorkerRequest(worker_id="1-1")
        request.control_endpoint.url = f"localhost:{control_port}"
        assert not pool.StartWorker(request, None).error
    pool.StopWorker(beam_fn_api_pb2.StopWorkerRequest(worker_id="1-1"), None)
    assert len(started) == 2
    assert not any(worker.stopped for worker in started)


def test_workers_start_through_the_unbounded_entry_point(monkeypatch):
    commands: list[list[str]] = []

    def popen(command, **kwargs):
        commands.append(command)
        return _FakeWorker()

    monkeypatch.setattr(worker_pool_main.subprocess, "Popen", popen)
    pool = SharedWorkerPool(use_process=True)
    request = beam_fn_api_pb2.StartWorkerRequest(worker_id="2-1")
    request.control_endpoint.url = "localhost:40003"
    assert not pool.StartWorker(request, None).error
    [[python, flag, call]] = commands
    assert python == sys.executable and flag == "-c"
    assert "run_sdk_worker('localhost:40003', '2-1'" in call


def test_an_sdk_worker_of_the_pool_queues_a_whole_bundle_s_output(monkeypatch):
    """The 2.62 job server takes a bundle's output only once the bundle is done; a bound
    on what the SDK queues for it would block the bundle forever (Beam issue 38570)."""
    harnesses = []
    bounds: list[tuple[int, int]] = []

    class FakeHarness:
        def __init__(self, control_url, **kwargs) -> None:
            harnesses.append((control_url, kwargs))

        def run(self) -> None:
            channel = data_plane._GrpcDataChannel()  # as the harness makes its data channels
            bounds.extend(
                (queue.max_elements, queue.max_bytes)
                for queue in (channel._pending_send, channel._to_send)
            )
            channel.close()

    monkeypatch.setattr(data_plane, "_DEFAULT_SEND_QUEUE_MAX_ELEMENTS", 10_000)
    monkeypatch.setattr(data_plane, "_DEFAULT_SEND_QUEUE_MAX_BYTES", 100 << 20)
    monkeypatch.setattr(sdk_worker, "SdkHarness", FakeHarness)
    run_sdk_worker("localhost:1", "1-1", 0, -1)
    assert bounds == [(0, 0), (0, 0)]  # ByteLimitedQueue: 0 is no limit
    assert harnesses == [
        (
            "localhost:1",
            {"worker_id": "1-1", "state_cache_size": 0, "data_buffer_time_limit_ms": -1},
        )
    ]

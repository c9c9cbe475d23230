"""The Python SDK worker pool that a Flink cluster of several TaskManagers shares.

Beam's own pool (`apache_beam.runners.worker.worker_pool_main`) files each SDK worker
process under its worker id and kills the one a StopWorker request names. Beam's Java
runner numbers its workers per TaskManager process ("1-1", "1-2", ...), so two TaskManagers
sharing one pool ask for the same ids, and the first to finish a stage kills the other's
worker in the middle of a bundle: the job fails with `CANCELLED: client cancelled`. This
pool keeps every worker it starts and lets each end on its own, which an SDK worker does
when its TaskManager closes the control channel; whatever is left ends with the pool's
process group when the cluster stops (`pipelines/run/flink_cluster.py`).

The workers it starts also lift the SDK's bound on output waiting to be sent. Beam 2.78's
SDK holds at most 100 MB (10,000 messages) of a bundle's output for the runner (Beam PR
38407); the 2.62 Flink job server reads a bundle's output only once the SDK reports the
bundle done, so a bundle whose output outgrows the bound never finishes (Beam issue 38570,
fixed in the Java runner by PR 38581, in no job server this machine can fetch). One input
file is one bundle: the 1,000,000-document scale run (62,500 documents per file) sat idle
with each SDK worker blocked in `_enqueue_to_send` and each TaskManager waiting for the
bundle's response, `bench/scale.py`. Unbounded, the SDK keeps a bundle's output in memory
until the runner takes it, as SDKs before that bound did.

    python -m pipelines.run.flink_worker_pool --service_port=PORT
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import time

from apache_beam.portability.api import beam_fn_api_pb2
from apache_beam.runners.worker import data_plane, sdk_worker
from apache_beam.runners.worker.worker_pool_main import BeamFnExternalWorkerPoolServicer

log = logging.getLogger(__name__)


class SharedWorkerPool(BeamFnExternalWorkerPoolServicer):
    """Beam's process-mode worker pool, with StopWorker leaving workers to end themselves."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._running: list[subprocess.Popen] = []

    def StartWorker(self, start_worker_request, unused_context):  # noqa: N802 (gRPC's name)
        """Beam's process-mode start, with this module's worker entry point; the process
        is kept out of Beam's id-keyed table, where the next TaskManager's same id would
        overwrite it and a StopWorker would kill it."""
        call = (
            f"from pipelines.run.flink_worker_pool import run_sdk_worker; "
            f"run_sdk_worker({start_worker_request.control_endpoint.url!r}, "
            f"{start_worker_request.worker_id!r}, {self._state_cache_size!r}, "
            f"{self._data_buffer_time_limit_ms!r})"
        )
        try:
            process = subprocess.Popen([sys.executable, "-c", call], close_fds=True)
        except OSError as error:
            return beam_fn_api_pb2.StartWorkerResponse(error=str(error))
        self._running.append(process)
        return beam_fn_api_pb2.StartWorkerResponse()

    def StopWorker(self, stop_worker_request, unused_context):  # noqa: N802 (gRPC's name)
        self._running = [process for process in self._running if process.poll() is None]
        log.info("worker %s stopped by its TaskManager", stop_worker_request.worker_id)
        return beam_fn_api_pb2.StopWorkerResponse()


def run_sdk_worker(
    control_url: str, worker_id: str, state_cache_size: int, data_buffer_time_limit_ms: int
) -> None:
    """An SDK worker whose outbound data queues are unbounded (see the module docstring)."""
    data_plane._DEFAULT_SEND_QUEUE_MAX_ELEMENTS = 0  # 0: no limit (ByteLimitedQueue)
    data_plane._DEFAULT_SEND_QUEUE_MAX_BYTES = 0
    sdk_worker.SdkHarness(
        control_url,
        worker_id=worker_id,
        state_cache_size=state_cache_size,
        data_buffer_time_limit_ms=data_buffer_time_limit_ms,
    ).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.run.flink_worker_pool")
    parser.add_argument("--service_port", type=int, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    address, server = SharedWorkerPool.start(use_process=True, port=args.service_port)
    log.info("SDK worker pool listening at %s", address)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())

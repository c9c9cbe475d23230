"""The Python SDK worker pool that a Flink cluster of several TaskManagers shares.

Beam's own pool (`apache_beam.runners.worker.worker_pool_main`) files each SDK worker
process under its worker id and kills the one a StopWorker request names. Beam's Java
runner numbers its workers per TaskManager process ("1-1", "1-2", ...), so two TaskManagers
sharing one pool ask for the same ids, and the first to finish a stage kills the other's
worker in the middle of a bundle: the job fails with `CANCELLED: client cancelled`. This
pool keeps every worker it starts and lets each end on its own, which an SDK worker does
when its TaskManager closes the control channel; whatever is left ends with the pool's
process group when the cluster stops (`pipelines/run/flink_cluster.py`).

    python -m pipelines.run.flink_worker_pool --service_port=PORT
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import time

from apache_beam.portability.api import beam_fn_api_pb2
from apache_beam.runners.worker.worker_pool_main import BeamFnExternalWorkerPoolServicer

log = logging.getLogger(__name__)


class SharedWorkerPool(BeamFnExternalWorkerPoolServicer):
    """Beam's process-mode worker pool, with StopWorker leaving workers to end themselves."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._running: list[subprocess.Popen] = []

    def StartWorker(self, start_worker_request, unused_context):  # noqa: N802 (gRPC's name)
        response = super().StartWorker(start_worker_request, unused_context)
        # Take the process out of the id-keyed table, where the next TaskManager's same id
        # would overwrite it and a StopWorker would kill it.
        process = self._worker_processes.pop(start_worker_request.worker_id, None)
        if process is not None:
            self._running.append(process)
        return response

    def StopWorker(self, stop_worker_request, unused_context):  # noqa: N802 (gRPC's name)
        self._running = [process for process in self._running if process.poll() is None]
        log.info("worker %s stopped by its TaskManager", stop_worker_request.worker_id)
        return beam_fn_api_pb2.StopWorkerResponse()


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

"""A small Apache Flink session cluster on 127.0.0.1, for running the pipeline on a real engine.

Beam's portable Flink runner needs four kinds of process: a Flink JobManager, one or more
TaskManagers, Beam's Flink job server (which translates the pipeline into a Flink job) and a
Python SDK worker pool (which runs the pipeline's Python code for the TaskManagers). This
module starts them as separate processes from the jars `tools/flink/fetch.sh` copies out of
Maven Central, waits for each to be ready, and stops them all, each in its own process group,
even when starting fails. It imports nothing from Beam, so it runs before Beam is imported.

    python -m pipelines.run.flink_cluster --task-managers 2

starts a cluster, prints the `provenance run` arguments that use it, and stops it on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

# Where tools/flink/fetch.sh puts the jars unless PROVENANCE_FLINK_LIB says otherwise.
DEFAULT_LIB = Path.home() / ".cache" / "provenance-flink" / "lib"
LIB_ENV = "PROVENANCE_FLINK_LIB"
JOB_SERVER_MAIN = "org.apache.beam.runners.flink.FlinkJobServerDriver"
JOBMANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"
TASKMANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"
# Flink's own launch scripts pass these on Java 17 (its `env.java.opts.all` default): Flink and
# Beam reflect into JDK internals (serializers, closure cleaning, NIO) that Java 17 closes.
JAVA_17_OPTIONS = [
    *(
        f"--add-exports={name}=ALL-UNNAMED"
        for name in (
            "java.base/sun.net.util",
            "java.management/sun.management",
            "java.rmi/sun.rmi.registry",
            "java.security.jgss/sun.security.krb5",
        )
    ),
    *(
        f"--add-opens=java.base/{package}=ALL-UNNAMED"
        for package in (
            "java.io",
            "java.lang",
            "java.lang.reflect",
            "java.net",
            "java.nio",
            "java.text",
            "java.time",
            "java.util",
            "java.util.concurrent",
            "java.util.concurrent.atomic",
            "java.util.concurrent.locks",
            "sun.nio.ch",
        )
    ),
]
# Modest memory, sized by the scale bench (bench/scale.py) on a shared 2-core
# machine. The TaskManager's figures are its memory model's parts; the JVM's limits below
# are their sums (heap: framework + task; direct: both off-heap parts + network).
TASKMANAGER_MEMORY = {
    "taskmanager.cpu.cores": "1",
    "taskmanager.memory.framework.heap.size": "128m",
    # The data plane parses the SDK worker's output on the heap: at 1,000,000 documents
    # (62,500 per input file, one bundle each) 1,024 MB ran out ("Java heap space" on a
    # gRPC thread), bench/scale.py.
    "taskmanager.memory.task.heap.size": "2560m",
    # Sorts for batch groupings (and combiners) take their buffers from managed memory; a
    # record larger than an operator's share fails ("Record too large"): the review
    # sample's per-source accumulator of whole records needs more than 64 MB split many ways.
    "taskmanager.memory.managed.size": "512m",
    # Direct buffers for the SDK harness's data and state channels: at 100,000 documents
    # 128 MB framework and no task off-heap memory ran out ("Direct buffer memory").
    "taskmanager.memory.framework.off-heap.size": "256m",
    "taskmanager.memory.task.off-heap.size": "256m",
    "taskmanager.memory.network.min": "128m",
    "taskmanager.memory.network.max": "128m",
    "taskmanager.memory.jvm-metaspace.size": "256m",
    "taskmanager.memory.jvm-overhead.min": "192m",
    "taskmanager.memory.jvm-overhead.max": "192m",
    # Batch shuffles are sort-based, each result partition asking 512 buffers by default:
    # the demo's dozens of exchanges in one slot would need gigabytes of network memory.
    "taskmanager.network.sort-shuffle.min-buffers": "64",
}
# -Xmx: framework + task heap above; small runs stay near the initial size.
TASKMANAGER_JVM = ["-Xms1152m", "-Xmx2688m", "-XX:MaxDirectMemorySize=640m"]
# -Xss: the JobManager deserialises the submitted job graph recursively, and with the
# default 1 MB thread stack one of four submissions at 100,000 documents failed
# (StackOverflowError in ObjectInputStream, answered as HTTP 500 to the job server).
JOBMANAGER_JVM = ["-Xms384m", "-Xmx384m", "-XX:MaxDirectMemorySize=128m", "-Xss8m"]
JOB_SERVER_JVM = ["-Xmx512m", "-Xss8m"]
LOG_TAIL_LINES = 25
ENVIRONMENT_CACHE_MILLIS = 60_000
# The SDK workers import the pipeline's code from where this launcher imports it.
CODE_ROOT = Path(__file__).resolve().parents[2]


class ClusterError(RuntimeError):
    """The cluster could not be started; the message carries each process's log tail."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def jar_directory() -> Path:
    return Path(os.environ.get(LIB_ENV) or DEFAULT_LIB)


def missing_jars(lib: Path) -> str | None:
    """Why the cluster cannot start from `lib`, or None when the jars are there."""
    needed = ("flink-runtime-", "flink-rpc-akka-loader-", "beam-runners-flink-")
    names = [path.name for path in lib.glob("*.jar")] if lib.is_dir() else []
    absent = [prefix for prefix in needed if not any(name.startswith(prefix) for name in names)]
    if absent:
        return (
            f"no {', '.join(p + '*.jar' for p in absent)} in {lib}: "
            f"fetch them with `bash tools/flink/fetch.sh` (or set {LIB_ENV})"
        )
    return None


@dataclass
class Ports:
    jobmanager_rpc: int = field(default_factory=free_port)
    rest: int = field(default_factory=free_port)
    blob: int = field(default_factory=free_port)
    job: int = field(default_factory=free_port)
    artifact: int = field(default_factory=free_port)
    expansion: int = field(default_factory=free_port)
    worker_pool: int = field(default_factory=free_port)


@dataclass
class _Process:
    name: str
    popen: subprocess.Popen
    log: Path


def flink_configuration(ports: Ports, work: Path, parallelism: int) -> dict[str, str]:
    """Every address on 127.0.0.1; every class from the cluster's own classpath."""
    return {
        "jobmanager.rpc.address": "127.0.0.1",
        "jobmanager.rpc.port": str(ports.jobmanager_rpc),
        "jobmanager.bind-host": "127.0.0.1",
        "jobmanager.memory.heap.size": "384m",
        "jobmanager.memory.off-heap.size": "128m",
        "jobmanager.memory.jvm-metaspace.size": "256m",
        "rest.address": "127.0.0.1",
        "rest.bind-address": "127.0.0.1",
        "rest.port": str(ports.rest),
        "blob.server.port": str(ports.blob),
        "taskmanager.host": "127.0.0.1",
        "taskmanager.bind-host": "127.0.0.1",
        "taskmanager.numberOfTaskSlots": "1",
        "parallelism.default": str(parallelism),
        # The job server ships Beam's jars with each job, and the cluster has them too:
        # loading parent-first keeps one copy of each class.
        "classloader.resolve-order": "parent-first",
        "io.tmp.dirs": str(work / "tmp"),
        "web.tmpdir": str(work / "web"),
        "heartbeat.timeout": "120000",
        # An error on a thread Flink does not own (the gRPC threads that read the SDK
        # worker's output) only logs by default, and the job then waits forever on data
        # that never comes; failing the process fails the job with the error in the log.
        "cluster.uncaught-exception-handling": "FAIL",
        **TASKMANAGER_MEMORY,
    }


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(text[-lines:]) or "(empty log)"


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class FlinkCluster:
    """JobManager, TaskManagers, Beam job server and SDK worker pool; a context manager."""

    def __init__(
        self,
        task_managers: int = 1,
        lib: Path | None = None,
        work: Path | None = None,
        python: str = sys.executable,
        python_path: str | None = str(CODE_ROOT),
        timeout: float = 180.0,
        java: str = "java",
    ) -> None:
        self.task_managers = task_managers
        self.lib = lib or jar_directory()
        self._own_work = work is None  # a directory made here is removed by stop()
        self.work = work or Path(tempfile.mkdtemp(prefix="provenance-flink-"))
        self.python = python
        self.python_path = python_path
        self.timeout = timeout
        self.java = java
        self.ports = Ports()
        self._processes: list[_Process] = []

    @property
    def parallelism(self) -> int:
        return self.task_managers

    def pipeline_args(self) -> list[str]:
        """The Beam arguments that run a pipeline on this cluster."""
        return [
            "--runner=PortableRunner",
            f"--job_endpoint=127.0.0.1:{self.ports.job}",
            "--environment_type=EXTERNAL",
            f"--environment_config=127.0.0.1:{self.ports.worker_pool}",
            f"--parallelism={self.parallelism}",
            # Keep each TaskManager's SDK worker for the next task of the job: a batch job's
            # tasks run one after another, and each new worker loads the PII engine again.
            f"--environment_cache_millis={ENVIRONMENT_CACHE_MILLIS}",
        ]

    def __enter__(self) -> FlinkCluster:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        problem = missing_jars(self.lib)
        if problem:
            raise ClusterError(problem)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        conf = self.work / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        (self.work / "tmp").mkdir(exist_ok=True)
        settings = flink_configuration(self.ports, self.work, self.parallelism)
        (conf / "flink-conf.yaml").write_text(
            "".join(f"{key}: {value}\n" for key, value in settings.items()), encoding="utf-8"
        )
        classpath = os.pathsep.join(str(path) for path in sorted(self.lib.glob("*.jar")))
        java = [self.java, *JAVA_17_OPTIONS, "-cp", classpath]
        self._spawn(
            "jobmanager",
            [*java, *JOBMANAGER_JVM, JOBMANAGER_MAIN, "--configDir", str(conf)],
        )
        self._wait("the JobManager's REST endpoint", lambda: self._task_managers() is not None)
        for number in range(1, self.task_managers + 1):
            self._spawn(
                f"taskmanager-{number}",
                [*java, *TASKMANAGER_JVM, TASKMANAGER_MAIN, "--configDir", str(conf)],
            )
        self._wait(
            f"{self.task_managers} TaskManager(s) to register",
            lambda: self._task_managers() == self.task_managers,
        )
        self._spawn(
            "job-server",
            [
                *java,
                *JOB_SERVER_JVM,
                JOB_SERVER_MAIN,
                f"--flink-master=127.0.0.1:{self.ports.rest}",
                f"--flink-conf-dir={conf}",
                "--job-host=127.0.0.1",
                f"--job-port={self.ports.job}",
                f"--artifact-port={self.ports.artifact}",
                f"--expansion-port={self.ports.expansion}",
                f"--artifacts-dir={self.work / 'artifacts'}",  # not the shared /tmp default
            ],
        )
        self._spawn(
            "worker-pool",
            [
                self.python,
                "-m",
                "pipelines.run.flink_worker_pool",
                f"--service_port={self.ports.worker_pool}",
            ],
            env=self._worker_environment(),
        )
        self._wait("the Beam job server", lambda: _port_open(self.ports.job))
        self._wait("the SDK worker pool", lambda: _port_open(self.ports.worker_pool))

    def _worker_environment(self) -> dict[str, str]:
        """The pool starts each SDK worker as `python` from PATH: make that this interpreter."""
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([str(Path(self.python).parent), env.get("PATH", "")])
        if self.python_path:
            env["PYTHONPATH"] = os.pathsep.join(
                part for part in (self.python_path, env.get("PYTHONPATH")) if part
            )
        return env

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = self.work / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("wb") as sink:
            popen = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                cwd=self.work,
                env=env,
                start_new_session=True,  # its own process group, stopped as one
            )
        self._processes.append(_Process(name, popen, log))

    def process_ids(self) -> dict[str, int]:
        """Each started process by name (its children, e.g. SDK workers, are not listed)."""
        return {process.name: process.popen.pid for process in self._processes}

    def rest(self, path: str) -> Any:
        """GET a JSON document from the JobManager's REST API (`/jobs/overview`, ...)."""
        url = f"http://127.0.0.1:{self.ports.rest}/{path.lstrip('/')}"
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)

    def _task_managers(self) -> int | None:
        """TaskManagers registered with the JobManager, or None while its REST API is down."""
        try:
            return len(self.rest("taskmanagers").get("taskmanagers", []))
        except (OSError, ValueError, urllib.error.URLError):
            return None

    def _wait(self, what: str, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if ready():
                return
            ended = [p for p in self._processes if p.popen.poll() is not None]
            if ended:
                raise ClusterError(
                    f"{ended[0].name} exited ({ended[0].popen.returncode}) while waiting for "
                    f"{what}\n{self.log_tails()}"
                )
            time.sleep(0.5)
        raise ClusterError(
            f"timed out after {self.timeout:.0f} s waiting for {what}\n{self.log_tails()}"
        )

    def running(self) -> bool:
        return bool(self._processes) and all(p.popen.poll() is None for p in self._processes)

    def log_tails(self) -> str:
        return "\n".join(
            f"--- {p.name} ({p.log}), last {LOG_TAIL_LINES} lines:\n{_tail(p.log)}"
            for p in self._processes
        )

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM every process group, then SIGKILL what is still running after `grace`."""
        for process in reversed(self._processes):
            _signal_group(process.popen, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in reversed(self._processes):
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            # The group may outlive its leader (the pool's SDK workers): kill what is left.
            _signal_group(process.popen, signal.SIGKILL)
            process.popen.wait()
        self._processes.clear()
        if self._own_work:  # logs, staged job artifacts and spill files
            shutil.rmtree(self.work, ignore_errors=True)


def _signal_group(popen: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, signum)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.run.flink_cluster",
        description="Start a Flink cluster on 127.0.0.1 and print the arguments that use it.",
    )
    parser.add_argument("--task-managers", type=int, default=1)
    parser.add_argument("--lib", type=Path, default=None, help=f"the jars (default {DEFAULT_LIB})")
    parser.add_argument("--work", type=Path, default=None, help="config and logs (default: temp)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the cluster too, not only Ctrl-C
    cluster = FlinkCluster(
        task_managers=args.task_managers,
        lib=args.lib,
        work=args.work,
    )
    try:
        with cluster:
            print(
                f"Flink cluster up: web UI http://127.0.0.1:{cluster.ports.rest}, logs in "
                f"{cluster.work / 'logs'}\nrun the pipeline on it with:\n  provenance run "
                f"CONFIG --output DIR {' '.join(cluster.pipeline_args())}\nCtrl-C stops it.",
                flush=True,
            )
            while cluster.running():
                time.sleep(1)
            print("a cluster process exited:\n" + cluster.log_tails(), file=sys.stderr)
            return 1
    except ClusterError as error:
        print(f"flink_cluster: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())

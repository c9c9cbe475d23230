"""Wall time, CPU and memory of one subprocess and every process it starts.

Why a module: a Beam run on the local runner is a launcher plus SDK worker subprocesses,
so neither the launcher's own figures nor `ru_maxrss` alone say what the run used. The
tree is sampled with psutil from another thread (summed and largest RSS, per phase: with
and without Beam workers), and the root is waited for with `os.wait4` for its rusage.
`e2e.py` measures the audit and datatrove with the same code, so their figures compare.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

SAMPLE_SECONDS = 0.2


@dataclass
class TreeMemory:
    """Peak RSS of a process tree, sampled from another thread."""

    peak_sum: int = 0
    peak_with_workers: int = 0  # summed RSS while Beam worker processes exist
    peak_launcher_alone: int = 0  # launcher RSS with no workers (summary, validation)
    peak_single: int = 0
    peak_single_name: str = ""
    peak_root: int = 0  # the launcher process itself (what grows with documents)
    max_processes: int = 0
    samples: int = 0
    first_workers: float | None = None  # seconds after start when Beam workers first seen
    last_workers: float | None = None


def _sample_tree(pid: int, memory: TreeMemory, stop: threading.Event, started: float) -> None:
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not stop.is_set():
        try:
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        total = 0
        beam_workers = False
        for process in processes:
            try:
                rss = process.memory_info().rss
                beam_workers = beam_workers or (
                    process.pid != pid and "apache_beam" in " ".join(process.cmdline())
                )
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                continue
            total += rss
            if process.pid == pid:
                memory.peak_root = max(memory.peak_root, rss)
            if rss > memory.peak_single:
                memory.peak_single = rss
                with contextlib.suppress(psutil.Error):
                    memory.peak_single_name = " ".join(process.cmdline()[1:4])[:80]
        memory.peak_sum = max(memory.peak_sum, total)
        memory.max_processes = max(memory.max_processes, len(processes))
        memory.samples += 1
        if beam_workers:
            memory.peak_with_workers = max(memory.peak_with_workers, total)
            now = time.perf_counter() - started
            memory.first_workers = memory.first_workers if memory.first_workers else now
            memory.last_workers = now
        else:
            # the launcher alone, or with its after-run pool after the pipeline
            memory.peak_launcher_alone = max(memory.peak_launcher_alone, total)
        stop.wait(SAMPLE_SECONDS)


@dataclass
class Measured:
    """One subprocess run: wall time, exit code, memory, captured output."""

    wall: float
    returncode: int
    memory: TreeMemory
    wait4_maxrss: int  # bytes
    # user + sys of the process and the descendants it waited for: the audit's Beam
    # workers and pool, not datatrove's (its forkserver children are not the root's)
    cpu_seconds: float = 0.0
    output: str = ""


def measure(
    command: list[str], log: Path, env: dict[str, str] | None = None, *, cwd: Path
) -> Measured:
    """Run `command` in `cwd`, sample its process tree's RSS, wait with wait4 for its rusage."""
    log.parent.mkdir(parents=True, exist_ok=True)
    memory = TreeMemory()
    stop = threading.Event()
    with log.open("w") as handle:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=cwd
        )
        sampler = threading.Thread(target=_sample_tree, args=(process.pid, memory, stop, started))
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        sampler.join()
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(wall, process.returncode, memory, usage.ru_maxrss * 1024, cpu, log.read_text())

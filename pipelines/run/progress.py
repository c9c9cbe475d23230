"""Progress of a local run: Beam metrics as each bundle finishes, shown as one live line.

The FnApiRunner only hands its metrics over when the whole pipeline is done, so
this runner subclass also collects each bundle's monitoring infos as the bundle
completes (in the launcher process, where the runner lives) for a display
thread to poll. Other runners run without a progress line.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

from apache_beam.metrics.monitoring_infos import consolidate as consolidate_monitoring_infos
from apache_beam.runners.portability.fn_api_runner.fn_runner import FnApiMetrics, FnApiRunner


class MetricsCollector:
    """Thread-safe running total of the monitoring infos of finished bundles."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_stage: dict[str, list] = {}

    def add(self, stage: str, infos) -> None:
        with self._lock:
            previous = self._by_stage.get(stage, [])
            self._by_stage[stage] = list(
                consolidate_monitoring_infos(itertools.chain(infos, previous))
            )

    def counters(self) -> dict[str, int]:
        with self._lock:
            snapshot = dict(self._by_stage)
        values: dict[str, int] = {}
        for result in FnApiMetrics(snapshot, user_metrics_only=True).query()["counters"]:
            key = f"{result.key.metric.namespace}/{result.key.metric.name}"
            values[key] = values.get(key, 0) + int(result.committed or 0)
        return values


class ProgressFnApiRunner(FnApiRunner):
    """The FnApiRunner, reporting each finished bundle's metrics to a collector."""

    def __init__(self, collector: MetricsCollector, **kwargs) -> None:
        super().__init__(**kwargs)
        self.collector = collector

    def _execute_bundle(self, runner_execution_context, bundle_context_manager, bundle_input):
        result = super()._execute_bundle(
            runner_execution_context, bundle_context_manager, bundle_input
        )
        self.collector.add(
            bundle_context_manager.stage.name, result.process_bundle.monitoring_infos
        )
        return result


def describe(counters: dict[str, int], elapsed: float) -> str:
    """One compact line: records read and decided per stage, MB/s, elapsed time."""
    megabytes = counters.get("read/bytes", 0) / 1e6
    rate = megabytes / elapsed if elapsed > 0 else 0.0
    decided = sum(
        value
        for key, value in counters.items()
        if key.startswith("decision/") and key.count(".") == 0
    )
    consent = sum(v for k, v in counters.items() if k.startswith("consent/status."))
    licensed = sum(v for k, v in counters.items() if k.startswith("licenses/category."))
    minutes, seconds = divmod(int(elapsed), 60)
    return (
        f"read {counters.get('read/records', 0):,} rec ({megabytes:,.1f} MB, {rate:,.2f} MB/s)"
        f" · dead letter {counters.get('read/dead_letters', 0):,}"
        f" · PII {counters.get('pii/bytes_scanned', 0) / 1e6:,.1f} MB"
        f" · licenses {licensed:,} · consent {consent:,} · decided {decided:,}"
        f" · {minutes}:{seconds:02d}"
    )


class ProgressDisplay:
    """Polls the collector every `interval` seconds and redraws one line with `rich`."""

    def __init__(self, collector: MetricsCollector, interval: float = 1.0) -> None:
        self.collector = collector
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.started = time.monotonic()

    def _loop(self, update: Callable[[str], None]) -> None:
        while not self._stop.wait(self.interval):
            update(describe(self.collector.counters(), time.monotonic() - self.started))

    def __enter__(self) -> ProgressDisplay:
        from rich.console import Console
        from rich.live import Live
        from rich.text import Text

        console = Console(stderr=True)
        self._live = Live(Text("starting…"), console=console, refresh_per_second=2, transient=True)
        self._live.__enter__()
        self._thread = threading.Thread(
            target=self._loop, args=(lambda line: self._live.update(Text(line)),), daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._live.__exit__(*exc_info)

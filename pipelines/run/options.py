"""Beam pipeline options: pass-through flags with a local default that never goes online.

apache-beam 2.77's plain DirectRunner first tries to download a Prism runner
binary and only then falls back, so when no `--runner` is given we name the
portable FnApiRunner (the engine behind the DirectRunner) explicitly, in
multi-processing mode on every core.
"""

from __future__ import annotations

import os

from apache_beam.options.pipeline_options import (
    DirectOptions,
    PipelineOptions,
    StandardOptions,
)

FN_API_RUNNER = "apache_beam.runners.portability.fn_api_runner.fn_runner.FnApiRunner"


def _given(beam_args: list[str], flag: str) -> bool:
    return any(arg == flag or arg.startswith(flag + "=") for arg in beam_args)


def build_pipeline_options(beam_args: list[str]) -> PipelineOptions:
    options = PipelineOptions(beam_args)
    standard = options.view_as(StandardOptions)
    if standard.runner is None:
        standard.runner = FN_API_RUNNER
        direct = options.view_as(DirectOptions)
        if not _given(beam_args, "--direct_running_mode"):
            direct.direct_running_mode = "multi_processing"
        if not _given(beam_args, "--direct_num_workers"):
            direct.direct_num_workers = os.cpu_count() or 1
    return options


def describe_runner(options: PipelineOptions) -> str:
    runner = options.view_as(StandardOptions).runner or "default"
    if runner == FN_API_RUNNER:
        direct = options.view_as(DirectOptions)
        return f"FnApiRunner ({direct.direct_running_mode}, {direct.direct_num_workers} workers)"
    return str(runner)

"""Entry point for launchers that run `python FILE --option=value ...`.

Airflow's Beam operators and Dataflow Flex Templates start a Python file with
pipeline options only; this file maps `--config` and `--output` onto
`provenance run` and passes every other flag to Beam.
"""

from __future__ import annotations

import argparse
import sys

from pipelines.commands.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="provenance run, for Beam launchers")
    parser.add_argument("--config", required=True, help="run config YAML")
    parser.add_argument("--output", help="output directory")
    known, beam_args = parser.parse_known_args(argv)
    output = ["--output", known.output] if known.output else []
    return cli_main(["run", known.config, *output, "--quiet", *beam_args])


if __name__ == "__main__":
    sys.exit(main())

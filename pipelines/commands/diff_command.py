"""The `diff` subcommand's arguments and exit codes; kept apart from `cli.py` so that module
stays one screen of wiring. Like every subcommand, it imports Beam only when it runs."""

from __future__ import annotations

import argparse
import sys

DIFF_EPILOG = """\
Any other flag is passed to Apache Beam's PipelineOptions: the diff is a Beam job, so
--runner=FlinkRunner (or any runner) reads and joins both ledgers on the cluster.
The output directory must be outside both versions.
"""


def add_diff_parser(commands) -> None:
    diff = commands.add_parser(
        "diff",
        help="what changed between two published versions: decisions and why, sources, "
        "withdrawn subjects, rights, gate outcomes (HTML + JSON, no raw values)",
        description="Compare two published runs (OLD, NEW) record by record and write "
        "diff.html and diff.json for a privacy officer. Refuses (exit 2) a version that is not "
        "published or does not match its manifest, and two versions made with different "
        "HMAC keys.",
        epilog=DIFF_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diff.add_argument("old", metavar="OLD", help="the earlier published run")
    diff.add_argument("new", metavar="NEW", help="the later published run")
    diff.add_argument(
        "--output",
        metavar="DIR",
        help="where diff.html and diff.json go (default: ./diff-OLDRUN-vs-NEWRUN)",
    )
    diff.add_argument(
        "--public-key",
        metavar="FILE",
        help="both manifests must be signed by this Ed25519 public key",
    )


def command_diff(args, beam_args: list[str], exit_ok: int, exit_user_error: int) -> int:
    # lazy: Beam and pyarrow load only when a diff runs
    from pipelines.commands.diff import DiffRefused, diff_versions
    from pipelines.commands.verify import trusted_key
    from pipelines.diff.report import text_summary
    from pipelines.publish.signing import SigningKeyError

    try:
        trusted = trusted_key(args.public_key, None)
        report, output, warning = diff_versions(args.old, args.new, args.output, beam_args, trusted)
    except (DiffRefused, SigningKeyError, ValueError) as error:
        print(f"provenance: error: {error}", file=sys.stderr)
        return exit_user_error
    if warning:
        print(f"provenance: warning: {warning}", file=sys.stderr)
    print(f"{report.old.run_id} -> {report.new.run_id}")
    for line in text_summary(report):
        print(f"  {line}")
    print(f"  report: {output}/diff.html and diff.json")
    return exit_ok

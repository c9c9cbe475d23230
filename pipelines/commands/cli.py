"""`provenance`: the command-line entry point.

User errors (bad config, missing input, missing key) print one clear message
and exit 2, without a traceback; a failed run exits 1 and says that nothing
was published.

Subcommands import the project's modules inside their functions on purpose: those pull
in Apache Beam, pyarrow and pydantic (~2 s), which `provenance --help` or a usage error
should not wait for.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

import yaml

from pipelines.commands.console import configure_logging
from pipelines.commands.diff_command import add_diff_parser, command_diff
from schemas.reason_codes import CatalogueError, catalogue
from schemas.scrub import scrub
from transforms.licenses.fingerprints import FingerprintDataError, load_fingerprints

EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_USER_ERROR = 2

RUN_EPILOG = """\
Any flag not listed above is passed to Apache Beam's PipelineOptions, e.g.
  --runner=DataflowRunner --project=P --region=R --temp_location=gs://B/tmp
  --direct_running_mode=in_memory|multi_processing --direct_num_workers=N
Without --runner the local FnApiRunner runs on all cores (no Prism download).
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provenance",
        description=(
            "Training-data provenance and consent pipeline: scans corpora for personal "
            "data, licenses and duplicates, applies a policy, and writes audited Parquet "
            "outputs with a ledger and a manifest."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run = commands.add_parser(
        "run",
        help="run the audit pipeline over the sources of a config",
        description="Run the audit pipeline over the sources named in CONFIG.",
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("config", metavar="CONFIG", help="run config YAML (e.g. configs/demo.yaml)")
    run.add_argument("--output", metavar="DIR", help="output directory (overrides `output:`)")
    run.add_argument("--quiet", action="store_true", help="print only the final summary")
    run.add_argument(
        "--previous", metavar="OLD", help="a published run to build on: reuse its scans"
    )

    check = commands.add_parser(
        "check",
        help="validate a config, its policy, inputs and key without running",
        description="Validate CONFIG, its policy, input globs and HMAC key; exit 2 on error.",
    )
    check.add_argument("config", metavar="CONFIG")

    policy = commands.add_parser(
        "policy",
        help="explain or check a policy",
        description="Explain the effective policy of a run config, or check a policy file.",
    )
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    explain = policy_commands.add_parser(
        "explain", help="print the effective rules of CONFIG's policy in plain language"
    )
    explain.add_argument("config", metavar="CONFIG", help="a run config or a policy YAML")
    policy_check = policy_commands.add_parser(
        "check", help="validate a policy YAML; exit 2 with the field on error"
    )
    policy_check.add_argument("policy_file", metavar="POLICY")

    erase = commands.add_parser(
        "erase",
        help="erase a subject's or a source's records (and their duplicates) from a run",
        description="GDPR erasure / withdrawal of consent: find every affected record through "
        "the ledger's HMAC tokens (no re-scan), remove it and every member of its duplicate "
        "cluster from dataset/, and publish a new version whose manifest invalidates the old.",
    )
    erase.add_argument("run_dir", metavar="RUN_DIR")
    who = erase.add_mutually_exclusive_group(required=True)
    who.add_argument("--subject-email", metavar="EMAIL")
    who.add_argument("--subject-id", metavar="ID")
    who.add_argument("--source", metavar="SOURCE_ID")
    erase.add_argument("--reason", default="", help="recorded in the receipt (scrubbed)")
    erase.add_argument(
        "--config", metavar="CONFIG", help="run config (default: the one named in the manifest)"
    )

    trace = commands.add_parser(
        "trace",
        help="print one record's story: source, findings, license, cluster, decision",
    )
    trace.add_argument("run_dir", metavar="RUN_DIR")
    trace.add_argument("doc_id", metavar="DOC_ID", nargs="?")
    trace.add_argument(
        "--locator",
        metavar="LOCATOR",
        help="find the record by its raw locator as read (e.g. a file's path under the "
        "source root, `notes.jsonl:L12`) with --source, instead of DOC_ID; outputs show "
        "locators with personal data masked, ids are made from the raw one",
    )
    trace.add_argument("--source", metavar="SOURCE_ID", help="the source, with --locator")

    verify = commands.add_parser(
        "verify",
        help="recompute a published run's hashes and report any difference from its manifest",
        description="Check every output file of RUN_DIR against manifest.json; exit 1 on any "
        "mismatch, 2 if RUN_DIR is not a published run. RUN_DIR may be an object-store "
        "prefix (s3://bucket/corpus); pass the Beam filesystem flags the run used "
        "(e.g. --s3_endpoint_url=...) after it.",
    )
    verify.add_argument("run_dir", metavar="RUN_DIR")
    trust = verify.add_mutually_exclusive_group()
    trust.add_argument(
        "--public-key",
        metavar="FILE",
        help="the signer's Ed25519 public key (PEM, from `provenance keygen`): the manifest "
        "must be signed by it",
    )
    trust.add_argument(
        "--config",
        metavar="CONFIG",
        help="the run config whose `signing_key` signed the run (instead of --public-key)",
    )

    keygen = commands.add_parser(
        "keygen",
        help="create an Ed25519 key pair for signing manifests (`signing_key` in a config)",
        description="Write a new Ed25519 private key to FILE (PEM, readable by you only) and "
        "its public key to FILE.pub, for auditors' `provenance verify --public-key`. "
        "Refuses to overwrite either file.",
    )
    keygen.add_argument("key_file", metavar="FILE")
    add_diff_parser(commands)
    return parser


def _print_summary(outcome) -> None:
    summary = outcome.summary
    totals = summary.totals
    print(f"\nRun {outcome.run_id} published to {outcome.output}")
    print(
        f"  records read {totals.records_read}: ledger {totals.ledger_rows}, "
        f"dead letter {totals.dead_letter_rows}"
    )
    header = f"  {'source':<24}{'read':>7}{'accept':>8}{'redact':>8}{'reject':>8}{'dead':>7}"
    print(header)
    for source_id, figures in summary.reconciliation.items():
        decisions = summary.counts_of(source_id).decisions
        print(
            f"  {source_id:<24}{figures.records_read:>7}{decisions.get('accept', 0):>8}"
            f"{decisions.get('accept_redacted', 0):>8}{decisions.get('reject', 0):>8}"
            f"{figures.dead_letter_rows:>7}"
        )
    reuse = summary.reuse
    if reuse is not None:
        print(
            f"  built on {reuse.previous_run_id}: {reuse.reused} reused, {reuse.scanned} "
            f"scanned, {reuse.removed} removed (reports/summary.json `reuse`)"
        )
    print("  outputs: dataset/ ledger/ dead_letter/ index/ reports/summary.json manifest.json")


def _check_install() -> None:
    """Fail before any work when packaged data is broken: a run without it would be wrong."""
    load_fingerprints()
    catalogue()


def _command_run(args, beam_args: list[str]) -> int:
    # lazy: see the module docstring
    from pipelines.run.config import (
        ConfigError,
        check_inputs_and_key,
        check_output_location,
        load_config,
    )

    try:
        _check_install()
        config = load_config(args.config, output_override=args.output)
        check_inputs_and_key(config)
        check_output_location(config)
    except (ConfigError, FingerprintDataError, CatalogueError) as error:
        print(f"provenance: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    # lazy: see the module docstring
    from pipelines.commands.previous import PreviousRefused, open_previous
    from pipelines.publish.output_lock import OutputBusy
    from pipelines.run.audited_run import RunFailed, run_audit

    try:
        previous = open_previous(args.previous, config) if args.previous else None
        outcome = run_audit(config, beam_args, show_progress=not args.quiet, previous=previous)
    except (OutputBusy, PreviousRefused) as error:
        print(f"provenance: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except RunFailed as error:
        print(
            f"provenance: run failed, nothing published (no manifest): {scrub(str(error))}",
            file=sys.stderr,
        )
        return EXIT_RUN_FAILED
    except Exception as error:
        # A record's values can reach an exception's message (a library quoting its input):
        # the message is scrubbed like the ledger's free text before it is shown.
        logging.getLogger(__name__).debug("pipeline failure", exc_info=True)
        print(
            f"provenance: run failed, nothing published (no manifest): "
            f"{type(error).__name__}: {scrub(str(error))[:500]}",
            file=sys.stderr,
        )
        return EXIT_RUN_FAILED
    _print_summary(outcome)
    return EXIT_OK


def _command_check(args) -> int:
    # lazy: see the module docstring
    from pipelines.run.config import ConfigError, check_inputs_and_key, load_config

    try:
        _check_install()
        config = load_config(args.config, output_override="(not needed for check)")
        check_inputs_and_key(config)
    except (ConfigError, FingerprintDataError, CatalogueError) as error:
        print(f"provenance: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(f"{config.path}: OK ({len(config.run.sources)} sources, policy {config.policy.name})")
    return EXIT_OK


def _load_policy_of(path: str):
    """A run config's policy, or a policy file given directly."""
    # lazy: see the module docstring
    from pipelines.run.config import load_config, load_policy

    try:
        with open(path, encoding="utf-8") as handle:
            is_run_config = "policy" in (yaml.safe_load(handle) or {})
    except (OSError, yaml.YAMLError):
        is_run_config = True  # let the loader report the problem with its usual message
    if is_run_config:
        config = load_config(path, output_override="(not needed)")
        return config.policy, config.policy_path, config.policy_sha256
    policy, sha = load_policy(path)
    return policy, path, sha


def _command_policy(args) -> int:
    # lazy: see the module docstring
    from pipelines.run.config import ConfigError

    try:
        if args.policy_command == "check":
            # lazy: see the module docstring
            from pipelines.run.config import load_policy

            policy, sha = load_policy(args.policy_file)
            print(
                f"{args.policy_file}: OK (policy {policy.name} {policy.version}, "
                f"{len(policy.rules)} rules, sha256 {sha[:16]}…)"
            )
            return EXIT_OK
        # lazy: see the module docstring
        from pipelines.commands.policy_explain import explain_policy

        policy, path, sha = _load_policy_of(args.config)
    except ConfigError as error:
        print(f"provenance: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(explain_policy(policy, path, sha), end="")
    return EXIT_OK


def _names_object_store(location: str) -> bool:
    """`s3://...`, `gs://...`: a scheme other than file:// (without importing Beam, whose
    filesystems decide the same in pipelines/publish/store.py, for a fast CLI)."""
    scheme = location.split("://", 1)[0] if "://" in location else None
    return scheme is not None and scheme.isidentifier() and scheme != "file"


def _local_only(location: str, command: str) -> int:
    print(
        f"provenance: error: {location}: {command} works on local (or mounted) outputs only; "
        "mount the bucket or copy the published run to a local directory first",
        file=sys.stderr,
    )
    return EXIT_USER_ERROR


def _command_erase(args) -> int:
    # lazy: see the module docstring
    from pipelines.commands.erase import ErasureError, ErasureRequest, erase, subject_tokens
    from pipelines.publish.output_lock import OutputBusy
    from pipelines.run.config import ConfigError, load_config
    from transforms.common.keys import KeyUnavailableError

    if _names_object_store(args.run_dir):
        return _local_only(args.run_dir, "erasure")
    run_dir = Path(args.run_dir)
    try:
        manifest_path = run_dir / "manifest.json"
        if not manifest_path.is_file():
            raise ErasureError(f"{run_dir} has no manifest.json; it is not a published run")
        config_path = args.config or json.loads(manifest_path.read_text())["config"]["path"]
        config = load_config(config_path, output_override=str(run_dir))
        key = config.key_source.load()
        request = ErasureRequest(
            tokens=subject_tokens(key, args.subject_email, args.subject_id),
            source=args.source,
            reason=args.reason,
        )
        receipt = erase(run_dir, request, config)
    except (ConfigError, ErasureError, KeyUnavailableError, OutputBusy) as error:
        print(f"provenance: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(
        f"Erased {receipt['records_erased']} record(s) ({receipt['clusters_followed']} duplicate "
        f"cluster(s) followed); dataset rows removed: {receipt['dataset_rows_removed']}.\n"
        f"New version {receipt['new_version']} supersedes {receipt['previous_version']}; "
        f"receipt: reports/erasure-{receipt['erasure_id']}.json"
    )
    return EXIT_OK


def _command_trace(args) -> int:
    # lazy: see the module docstring
    from pipelines.commands.trace import NotFound, trace_record

    if _names_object_store(args.run_dir):
        return _local_only(args.run_dir, "trace")
    doc_id = args.doc_id
    if (doc_id is None) == (args.locator is None) or (args.locator is None) != (
        args.source is None
    ):
        print(
            "provenance: error: trace needs either DOC_ID or --source with --locator",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    if args.locator is not None:
        # lazy: see the module docstring
        from schemas.document import make_doc_id

        doc_id = make_doc_id(args.source, args.locator)
    try:
        print(trace_record(args.run_dir, doc_id), end="")
    except NotFound as error:
        print(f"provenance: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    return EXIT_OK


def _command_verify(args, filesystem_args: list[str]) -> int:
    # lazy: see the module docstring
    from pipelines.commands.verify import NotPublished, signature_statement, trusted_key, verify_run
    from pipelines.publish.signing import SigningKeyError
    from pipelines.run.config import ConfigError

    if filesystem_args:
        # Object stores: the same endpoint and credential flags `run` passed to Beam
        # (e.g. --s3_endpoint_url), given to Beam's filesystems before anything is read.
        from apache_beam.io.filesystems import FileSystems
        from apache_beam.options.pipeline_options import PipelineOptions

        FileSystems.set_options(PipelineOptions(filesystem_args))
    try:
        trusted = trusted_key(args.public_key, args.config)
        problems = verify_run(args.run_dir, trusted)
        statement = signature_statement(args.run_dir, trusted)
    except (NotPublished, SigningKeyError, ConfigError, ValueError) as error:
        print(f"provenance: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    if problems:
        print(f"{args.run_dir}: {len(problems)} problem(s) found:")
        for problem in problems:
            print(f"  - {problem}")
        return EXIT_RUN_FAILED
    print(f"{args.run_dir}: every output matches its manifest; {statement}")
    return EXIT_OK


def _command_keygen(args) -> int:
    # lazy: see the module docstring
    from pipelines.commands.keygen import KeygenError, write_key_pair

    try:
        public_path, fingerprint = write_key_pair(Path(args.key_file))
    except KeygenError as error:
        print(f"provenance: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(
        f"Wrote the private key to {args.key_file} (keep it secret; name it in a run config "
        f"as `signing_key: {{file: ...}}`) and the public key to {public_path} (give it to "
        f"auditors for `provenance verify --public-key`). Key id {fingerprint}."
    )
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    # Presidio's URL and email recognizers use tldextract, which would fetch the
    # public-suffix list on first use; worker processes inherit this environment.
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    args, beam_args = _parser().parse_known_args(argv)
    configure_logging(quiet=getattr(args, "quiet", False))
    if args.command == "run":
        return _command_run(args, beam_args)
    if args.command == "verify":
        return _command_verify(args, beam_args)
    if args.command == "diff":
        return command_diff(args, beam_args, EXIT_OK, EXIT_USER_ERROR)
    if beam_args:
        print(f"provenance: error: unrecognised arguments: {' '.join(beam_args)}", file=sys.stderr)
        return EXIT_USER_ERROR
    if args.command == "policy":
        return _command_policy(args)
    if args.command == "erase":
        return _command_erase(args)
    if args.command == "trace":
        return _command_trace(args)
    if args.command == "keygen":
        return _command_keygen(args)
    return _command_check(args)


if __name__ == "__main__":
    sys.exit(main())

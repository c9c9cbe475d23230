"""Run configuration: YAML parsed into validated models, every problem reported before any work.

Errors are `ConfigError`s whose message names the file, the field, the bad value
and the fix; the CLI prints them without a traceback and exits 2.
"""

from __future__ import annotations

import fnmatch
import hashlib
import posixpath
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipelines.publish.signing import SigningKeyError, load_private_key
from pipelines.run.lineage_settings import LineageSettings
from schemas.consent import ConsentRegistryConfig, OptOutSnapshots
from schemas.policy import MissingEvidence, Policy
from transforms.common.keys import KeySource, KeyUnavailableError
from transforms.decision.source_evidence import (
    LegalBasis,
    SourceEvidence,
    SourceType,
    missing_evidence,
)
from transforms.licenses.deep import engine_problem
from transforms.read.readers import DEFAULT_MAX_DECOMPRESSED_BYTES, DEFAULT_MAX_DOCUMENT_BYTES

SOURCE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class ConfigError(Exception):
    """A user error in a config or policy file: printed as is, exit code 2."""


class InputFormat(StrEnum):
    JSONL = "jsonl"
    PARQUET = "parquet"
    TEXT = "text"
    WARC = "warc"


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldMapping(StrictModel):
    """Which record fields hold the text, an upstream id, and metadata worth keeping."""

    text: str = "text"
    id: str | None = None
    metadata: list[str] = Field(default_factory=list)


class SubjectFields(StrictModel):
    """Fields naming the record's own subject (author, submitter), for the consent check."""

    email: str | None = None
    user_id: str | None = None
    phone: str | None = None

    def pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple((kind, name) for kind, name in self.model_dump().items() if name)


class SourceConfig(StrictModel):
    id: str = Field(pattern=SOURCE_ID_PATTERN)
    type: SourceType
    format: InputFormat
    paths: list[str] = Field(min_length=1)
    fields: FieldMapping = Field(default_factory=FieldMapping)
    declared_license: str = ""
    legal_basis: LegalBasis
    evidence: SourceEvidence = Field(default_factory=SourceEvidence)
    subjects: SubjectFields = Field(default_factory=SubjectFields)
    collected_at_field: str | None = None
    optout: OptOutSnapshots = Field(default_factory=OptOutSnapshots)
    priority: int = Field(default=100, description="lower wins when choosing among duplicates")
    root: str | None = Field(
        default=None,
        description="directory that locators are relative to; default: common prefix of paths",
    )


class KeyLocation(StrictModel):
    """Where a secret lives: an environment variable or a file, never the secret itself."""

    env: str | None = None
    file: str | None = None

    @model_validator(mode="after")
    def exactly_one_location(self) -> KeyLocation:
        if bool(self.env) == bool(self.file):
            raise ValueError(
                "give exactly one of `env` (an environment variable name) or `file` "
                "(a key file path); never the key itself"
            )
        return self


class Limits(StrictModel):
    max_document_bytes: int = Field(default=DEFAULT_MAX_DOCUMENT_BYTES, gt=0)
    max_decompressed_bytes: int = Field(default=DEFAULT_MAX_DECOMPRESSED_BYTES, gt=0)
    # Per record and per scanning stage (PII, licenses); an overrun rejects the record
    # with scan.time_budget_exceeded. bench/e2e.py at 1 GiB: 2 workers x 135 s for 92,458
    # records, i.e. ~3 ms per record for all worker-side work together.
    record_time_budget_seconds: float = Field(default=60.0, gt=0)


class RunConfig(StrictModel):
    name: str = Field(min_length=1)
    policy: str
    output: str | None = None
    hmac_key: KeyLocation
    # An Ed25519 private key in PEM (`provenance keygen`); without it manifests are unsigned.
    signing_key: KeyLocation | None = None
    limits: Limits = Field(default_factory=Limits)
    consent: ConsentRegistryConfig | None = None
    lineage: LineageSettings = Field(default_factory=LineageSettings)
    sources: list[SourceConfig] = Field(min_length=1)

    @field_validator("sources")
    @classmethod
    def source_ids_are_unique(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        ids = [source.id for source in sources]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"source ids must be unique; repeated: {', '.join(duplicates)}")
        return sources


@dataclass(frozen=True)
class LoadedConfig:
    """A validated config with every path resolved and the digests the manifest records."""

    path: str
    run: RunConfig
    policy: Policy
    policy_path: str
    config_sha256: str
    policy_sha256: str
    key_source: KeySource
    signing_key_source: KeySource | None
    source_roots: dict[str, str]
    sources_missing_evidence: dict[str, list[str]]


def _is_url(path: str) -> bool:
    return re.match(r"^[a-z][a-z0-9+.-]*://", path) is not None


def resolve_path(base_dir: Path, path: str) -> str:
    if _is_url(path) or Path(path).is_absolute():
        return path
    return str((base_dir / path).resolve())


def glob_free_prefix(pattern: str) -> str:
    """The directory part of a glob before its first wildcard: the natural root for locators."""
    parts = pattern.split("/")
    fixed = []
    for part in parts[:-1]:
        if any(ch in part for ch in "*?["):
            break
        fixed.append(part)
    return "/".join(fixed) or "/"


def default_root(patterns: list[str]) -> str:
    prefixes = [glob_free_prefix(p) for p in patterns]
    if len(prefixes) == 1:
        return prefixes[0]
    return posixpath.commonpath(prefixes)


def _format_location(location: tuple) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


_FIXES = {
    "missing": "add this field",
    "extra_forbidden": "remove it or fix its spelling",
    "enum": "use one of the values listed",
    "string_pattern_mismatch": "use letters, digits, '.', '_' or '-' (max 64 characters)",
    "too_short": "give at least one entry",
}


def format_validation_error(file: str, error: ValidationError) -> str:
    lines = [f"{file}: invalid configuration"]
    for item in error.errors():
        where = _format_location(item["loc"])
        fix = _FIXES.get(item["type"], "see the config reference in docs/configuration.md")
        value = item.get("input")
        shown = "" if item["type"] == "missing" else f" (got {value!r:.80})"
        lines.append(f"  field `{where}`: {item['msg']}{shown}. Fix: {fix}.")
    return "\n".join(lines)


def _read_yaml(path: Path, what: str) -> tuple[dict, bytes]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} file not found; check the path") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read {what} file ({error.strerror})") from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}; fix the syntax there") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the {what} must be a YAML mapping of fields")
    return data, raw


def load_policy(path: str | Path) -> tuple[Policy, str]:
    policy_path = Path(path)
    data, raw = _read_yaml(policy_path, "policy")
    try:
        policy = Policy.model_validate(data)
    except ValidationError as error:
        raise ConfigError(format_validation_error(str(policy_path), error)) from None
    deep = policy.licenses.deep
    problem = engine_problem(deep.engine)
    if problem:
        raise ConfigError(f"{policy_path}: field `licenses.deep.engine`: {problem}")
    unknown = sorted(set(deep.source_types) - {str(kind) for kind in SourceType})
    if unknown:
        raise ConfigError(
            f"{policy_path}: field `licenses.deep.source_types`: unknown source type(s) "
            f"{', '.join(unknown)}. Fix: use {', '.join(str(kind) for kind in SourceType)}"
        )
    return policy, hashlib.sha256(raw).hexdigest()


def load_config(path: str | Path, output_override: str | None = None) -> LoadedConfig:
    """Parse, validate and resolve a run config; raise ConfigError naming file, field and fix."""
    config_path = Path(path).resolve()
    data, raw = _read_yaml(config_path, "run config")
    try:
        run = RunConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(format_validation_error(str(config_path), error)) from None
    base = config_path.parent

    sources = []
    roots: dict[str, str] = {}
    for source in run.sources:
        paths = [resolve_path(base, p) for p in source.paths]
        root = resolve_path(base, source.root) if source.root else default_root(paths)
        snapshots = OptOutSnapshots(
            robots_txt={h: resolve_path(base, p) for h, p in source.optout.robots_txt.items()},
            tdmrep={h: resolve_path(base, p) for h, p in source.optout.tdmrep.items()},
        )
        sources.append(source.model_copy(update={"paths": paths, "optout": snapshots}))
        roots[source.id] = root
    output = output_override or (resolve_path(base, run.output) if run.output else None)
    if not output:
        raise ConfigError(
            f"{config_path}: field `output`: no output directory. "
            "Fix: set `output:` in the config or pass --output DIR"
        )
    key_source = _key_source(base, run.hmac_key, "hmac_key")
    signing_source = _key_source(base, run.signing_key, "signing_key") if run.signing_key else None
    consent = run.consent
    if (
        consent is not None
        and (consent.format or "").lower() != "sql"
        and "://" not in consent.registry
    ):
        consent = consent.model_copy(update={"registry": resolve_path(base, consent.registry)})
    run = run.model_copy(update={"sources": sources, "output": output, "consent": consent})

    policy_path = resolve_path(base, run.policy)
    policy, policy_sha = load_policy(policy_path)
    missing = _check_evidence(config_path, run, policy)
    return LoadedConfig(
        path=str(config_path),
        run=run,
        policy=policy,
        policy_path=policy_path,
        config_sha256=hashlib.sha256(raw).hexdigest(),
        policy_sha256=policy_sha,
        key_source=key_source,
        signing_key_source=signing_source,
        source_roots=roots,
        sources_missing_evidence=missing,
    )


def _key_source(base: Path, location: KeyLocation, field: str) -> KeySource:
    file = resolve_path(base, location.file) if location.file else None
    return KeySource(env=location.env, file=file, field=field)


def _check_evidence(config_path: Path, run: RunConfig, policy: Policy) -> dict[str, list[str]]:
    """TC260 traceability: each source type needs its evidence. Missing evidence is a
    start-up error unless the policy says to reject such sources instead."""
    missing: dict[str, list[str]] = {}
    for index, source in enumerate(run.sources):
        evidence = source.evidence.model_copy(update={"legal_basis": source.legal_basis})
        gaps = missing_evidence(source.type, evidence)
        if not gaps:
            continue
        if policy.sources.missing_evidence == MissingEvidence.ERROR:
            lines = "\n".join(f"    - evidence.{gap}" for gap in gaps)
            raise ConfigError(
                f"{config_path}: field `sources[{index}].evidence`: source {source.id!r} "
                f"({source.type}) lacks required evidence:\n{lines}\n  Fix: add it, or set "
                "`sources: {missing_evidence: reject}` in the policy to reject the source"
            )
        missing[source.id] = gaps
    return missing


def check_inputs_and_key(config: LoadedConfig) -> None:
    """Fail before any work when a glob matches nothing or the key cannot be loaded."""
    from apache_beam.io.filesystems import FileSystems

    for index, source in enumerate(config.run.sources):
        for pattern in source.paths:
            try:
                matched = FileSystems.match([pattern])[0].metadata_list
            except Exception as error:  # filesystem-specific errors for bad schemes, permissions
                raise ConfigError(
                    f"{config.path}: field `sources[{index}].paths`: cannot list {pattern!r} "
                    f"({type(error).__name__}). Fix: check the path and its permissions"
                ) from None
            if not matched:
                raise ConfigError(
                    f"{config.path}: field `sources[{index}].paths`: {pattern!r} matches no "
                    "file. Fix: correct the path or glob (relative paths are resolved from "
                    "the config file's directory)"
                )
    try:
        config.key_source.load()
    except KeyUnavailableError as error:
        raise ConfigError(f"{config.path}: field `hmac_key`: {error}") from None
    load_signing_key(config)


def _reaches_into(pattern: str, directory: str) -> bool:
    """Whether a source glob can match a file under `directory` (both absolute): part by
    part, `**` matches anything below, other parts as fnmatch. Conservative on purpose: a
    pattern with parts left once the directory is matched counts as reaching in."""
    pattern_parts = pattern.rstrip("/").split("/")
    directory_parts = directory.rstrip("/").split("/")
    for index, part in enumerate(directory_parts):
        if index >= len(pattern_parts):
            return False
        if pattern_parts[index] == "**":
            return True
        if not fnmatch.fnmatchcase(part, pattern_parts[index]):
            return False
    return len(pattern_parts) > len(directory_parts)


def check_output_location(config: LoadedConfig) -> None:
    """Refuse outputs that would corrupt something: a directory inside a published run
    (the run's files would change under its manifest), or one a source's paths reach
    into (the next run would read its own outputs, this one its staging files)."""
    output = config.run.output
    if output is None or (_is_url(output) and not output.startswith("file://")):
        return  # object stores: no directory tree to walk up (prefixes are not directories)
    directory = Path(output.removeprefix("file://")).absolute()
    for parent in directory.parents:
        if (parent / "manifest.json").is_file():
            raise ConfigError(
                f"{config.path}: output {directory} is inside the published run {parent}; a "
                f"run there would change {parent}'s files. Fix: pass --output {parent} to "
                "publish a new version of it, or a directory outside it"
            )
    for index, source in enumerate(config.run.sources):
        for pattern in source.paths:
            if not _is_url(pattern) and _reaches_into(pattern, str(directory)):
                raise ConfigError(
                    f"{config.path}: field `sources[{index}].paths`: {pattern!r} reaches into "
                    f"the output directory {directory}, so runs would read their own outputs. "
                    "Fix: write the output outside the source's directories"
                )


def load_signing_key(config: LoadedConfig) -> Ed25519PrivateKey | None:
    """The manifest signing key, or None when the config names none.

    Refused when it is the HMAC key: the two are kept apart so that whoever may sign
    releases need not be able to re-identify tokens, and the reverse.
    """
    source = config.signing_key_source
    if source is None:
        return None
    where = f"{config.path}: field `signing_key`"
    try:
        pem = source.load()
        key = load_private_key(pem, source.describe())
    except (KeyUnavailableError, SigningKeyError) as error:
        raise ConfigError(f"{where}: {error}") from None
    try:
        same = pem == config.key_source.load()
    except KeyUnavailableError:
        same = False  # reported by check_inputs_and_key with its own message
    if same or (source.file is not None and source.file == config.key_source.file):
        raise ConfigError(
            f"{where}: it is the HMAC key; use a separate Ed25519 key "
            "(create one with `provenance keygen FILE`)"
        )
    return key

"""Optional deep license scan: documents the fast detectors are unsure of go to ScanCode.

The fast detectors answer most documents at corpus speed, but some answers are guesses
(an unversioned "GPL", a bare project URL, license words with no license the rules
know). ScanCode's matcher (tens of thousands of rules) answers those well, at ~1.5 files/s
and ~1 GB of index per worker (`bench/license_speed.py` with the extra installed): far
too slow for every document, affordable for the few the fast pass flags. This module
decides which documents those are, runs the engine on them, and folds its matches back
into the evidence. It is off by default and the engine is an optional extra
(`pip install -e ".[scancode]"`).

The core (uncertainty, merging, offsets) is pure and engine-agnostic; `ScanCodeEngine` is
the one adapter, loaded lazily in each worker.
"""

from __future__ import annotations

import importlib.util
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from license_expression import get_license_index

from schemas.licenses import DeepScanSettings, EvidenceKind, LicenseEvidence
from transforms.common.time_budget import Deadline

# ScanCode's "some license is mentioned here, unnamed" keys: facts, not licenses. They
# would turn a verdict into "unknown" without naming anything, so they are left out.
UNNAMED_KEYS = frozenset({"unknown", "unknown-license-reference", "unknown-spdx", "free-unknown"})


class Uncertainty:
    """Why the fast answer is not trusted on its own (the `uncertain:` verdict reason)."""

    UNKNOWN_ID = "unknown_id"  # an SPDX tag or link names an id the index does not know
    WEAK_MATCH = "weak_match"  # a license match below `confident_at`
    UNRESOLVED = "unresolved"  # license words, but no license the fast rules know
    BARE_URL = "bare_url"  # a short document that is a URL and nothing the rules know


@dataclass(frozen=True)
class DeepMatch:
    """One engine match: an SPDX expression over a range of 1-based lines."""

    expression: str
    start_line: int
    end_line: int
    score: float  # 0-100, the engine's own
    rule: str


class DeepEngine(Protocol):
    name: str

    def match(self, text: str, deadline_epoch: float) -> list[DeepMatch]: ...


def uncertainty(
    evidence: list[LicenseEvidence],
    text: str,
    has_triggers: Callable[[], object],
    settings: DeepScanSettings,
) -> str | None:
    """The reason the fast evidence needs a second opinion, or None when it stands.

    Reservations and copyright lines are not licenses: a document with only those and
    license words around them is "unresolved", one with nothing license-like is sure.
    `has_triggers` (are there license words? any truthy answer) is asked only when no
    license was found.
    """
    licenses = [item for item in evidence if item.kind != EvidenceKind.RESERVATION and item.spdx]
    if any(item.unknown_ids for item in evidence):
        return Uncertainty.UNKNOWN_ID
    if any(item.confidence < settings.confident_at for item in licenses):
        return Uncertainty.WEAK_MATCH
    if licenses:
        return None
    if settings.scan_unresolved and has_triggers():
        return Uncertainty.UNRESOLVED
    stripped = text.strip()
    if len(stripped) <= settings.bare_url_max_chars and "://" in stripped:
        return Uncertainty.BARE_URL
    return None


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each line without its line break (index 0 is
    line 1). Lines as `str.splitlines` cuts them (\\r, \\f, \\u2028 ... end lines too),
    which is how ScanCode numbers the lines of a query string."""
    spans = []
    position = 0
    for line in text.splitlines(keepends=True):
        spans.append((position, position + len(line.splitlines()[0])))
        position += len(line)
    return spans or [(0, 0)]


def deep_evidence(text: str, matches: list[DeepMatch], engine: str) -> list[LicenseEvidence]:
    """Engine matches as evidence spanning the whole lines they cover."""
    if not matches:
        return []
    spans = line_spans(text)
    evidence = []
    for found in matches:
        first = min(max(found.start_line, 1), len(spans)) - 1
        last = min(max(found.end_line, found.start_line, 1), len(spans)) - 1
        evidence.append(
            LicenseEvidence(
                kind=str(EvidenceKind.DEEP_MATCH),
                spdx=found.expression,
                start=spans[first][0],
                end=spans[last][1],
                confidence=round(min(max(found.score, 0.0), 100.0) / 100.0, 2),
                detail=f"{engine}:{found.rule}",
            )
        )
    return evidence


def merge(fast: list[LicenseEvidence], deep: list[LicenseEvidence]) -> list[LicenseEvidence]:
    """The engine's licenses replace the fast ones; the fast reservations stay.

    ScanCode does not look for TDM or all-rights-reserved wording, so those markers keep
    coming from the fast pass. When the engine found nothing the fast answer stands.
    """
    if not deep:
        return fast
    kept = [item for item in fast if item.kind == EvidenceKind.RESERVATION]
    return sorted([*kept, *deep], key=lambda item: (item.start, item.end))


@dataclass(frozen=True)
class DeepOutcome:
    evidence: list[LicenseEvidence]
    reasons: list[str]


def second_opinion(
    engine: DeepEngine,
    text: str,
    fast: list[LicenseEvidence],
    has_triggers: Callable[[], object],
    settings: DeepScanSettings,
    deadline: Deadline | None = None,
) -> DeepOutcome:
    """Ask the engine about `text` when the fast evidence is uncertain; say what happened.

    The engine gets the smaller of its own timeout and what is left of the record's time
    budget; a run that overruns is discarded (its matches may be partial) and the fast
    answer stands, so a slow deep scan never costs a record the fast pass already scanned.
    An engine that raises is treated the same way: the fast answer stands and the
    reason names the exception type.
    """
    why = uncertainty(fast, text, has_triggers, settings)
    if why is None:
        return DeepOutcome(fast, [])
    reasons = [f"uncertain:{why}"]
    if len(text) > settings.max_chars:
        return DeepOutcome(fast, [*reasons, f"deep:{engine.name}:skipped_too_large"])
    seconds = settings.timeout_seconds
    if deadline is not None:
        seconds = min(seconds, deadline.at - time.monotonic())
    if seconds <= 0:
        return DeepOutcome(fast, [*reasons, f"deep:{engine.name}:timed_out"])
    started = time.monotonic()
    try:
        matches = engine.match(text, time.time() + seconds)
    except Exception as error:  # noqa: BLE001 - an engine bug must not fail the record
        # The error's type only: its message could quote the document.
        reason = f"deep:{engine.name}:failed:{type(error).__name__}"
        return DeepOutcome(fast, [*reasons, reason])
    if time.monotonic() - started > seconds:
        return DeepOutcome(fast, [*reasons, f"deep:{engine.name}:timed_out"])
    deep = deep_evidence(
        text, [found for found in matches if found.score >= settings.min_score], engine.name
    )
    outcome = "replaced" if deep else "no_match"
    return DeepOutcome(merge(fast, deep), [*reasons, f"deep:{engine.name}:{outcome}"])


# -- the ScanCode adapter ----------------------------------------------------------------

SCANCODE_INSTALL_HINT = (
    'pip install -e ".[scancode]" in a checkout, or pip install "provenance-pipeline[scancode]"'
)


def engine_problem(name: str) -> str | None:
    """Why engine `name` cannot run here (for a start-up error), or None when it can."""
    if name == "off":
        return None
    if name == "scancode":
        if importlib.util.find_spec("licensedcode") is None:
            return (
                "the deep engine 'scancode' needs ScanCode toolkit, which is not installed. "
                f"Fix: {SCANCODE_INSTALL_HINT}, or set licenses.deep.engine: off"
            )
        return None
    return f"unknown deep engine {name!r} (known: off, scancode)"


@lru_cache(maxsize=1)
def _scancode_key_to_spdx() -> dict[str, str]:
    return {
        entry["license_key"]: entry.get("spdx_license_key")
        or f"LicenseRef-scancode-{entry['license_key']}"
        for entry in get_license_index()
    }


def named_expression(keys: list[str], spdx_expression: str) -> str:
    """A match's SPDX expression with ScanCode's unnamed-license keys left out.

    A match of only unnamed keys gives ""; one mixing both (rare) gives its named
    licenses ANDed: what is known to apply. Keys map through the index shipped in
    `license-expression`, the table the verdict's categories come from.
    """
    named = [key for key in keys if key not in UNNAMED_KEYS]
    if not named:
        return ""
    if len(named) == len(keys):
        return spdx_expression
    table = _scancode_key_to_spdx()
    spdx_ids = (table.get(key, f"LicenseRef-scancode-{key}") for key in named)
    return " AND ".join(dict.fromkeys(spdx_ids))


class ScanCodeEngine:
    """ScanCode's license index and matcher (`licensedcode`), loaded once per worker.

    Loading takes ~4 s and ~1 GB resident (`bench/license_speed.py` prints both).
    Matching runs ScanCode's own pipeline (hash, exact, sequence matching) over the whole
    document, as its data-driven tests do.
    """

    name = "scancode"

    def __init__(self) -> None:
        with warnings.catch_warnings():
            # typecode (imported with it) warns that it uses the system's libmagic, which
            # license matching never calls.
            warnings.simplefilter("ignore", UserWarning)
            from licensedcode.cache import get_index

            self._index = get_index()

    def __reduce__(self):
        return (self.__class__, ())

    def match(self, text: str, deadline_epoch: float) -> list[DeepMatch]:
        found = []
        for match in self._index.match(query_string=text, deadline=deadline_epoch):
            rule = match.rule
            expression = named_expression(rule.license_keys(), rule.spdx_license_expression())
            if expression:
                found.append(
                    DeepMatch(
                        expression=expression,
                        start_line=match.start_line,
                        end_line=match.end_line,
                        score=float(match.score()),
                        rule=rule.identifier,
                    )
                )
        return found


def load_engine(name: str) -> DeepEngine | None:
    """The engine for `name` ("off" → None); raises RuntimeError naming the fix."""
    if name == "off":
        return None
    problem = engine_problem(name)
    if problem:
        raise RuntimeError(problem)
    return ScanCodeEngine()

"""Offline Presidio engine for personal data and secrets, with a linear-time trigger fast path.

Why a fast path: Presidio's AnalyzerEngine on whole documents runs ~0.2 MB/s/core (spaCy
tokenizes everything, the lemma context enhancer is quadratic, PhoneRecognizer runs one
phonenumbers matcher per region over the whole text). Personal data is sparse, so one
Hyperscan pass finds candidate regions and Presidio's own recognizers (Luhn, IBAN
checksum, phonenumbers parsing, context words) run only on small windows around them,
batched: windows of many documents are joined into one text per entity type, so each
Presidio call is amortised. Offsets are mapped back to whole-text coordinates.

Why Hyperscan over google-re2 (measured by bench/pii_speed.py on 10 MB of the real-text
corpus, 17 trigger patterns): Hyperscan ~120 MB/s/core in one pass reporting every
match with its start; RE2 ~47 MB/s/core needing one finditer pass per pattern, and it
cannot report overlapping matches, which windows need. Both are linear-time; neither
supports look-arounds, so triggers are plain supersets of Presidio's patterns and
Presidio's exact regex decides. The scan is ~3% of this stage's time either way.

Why windows give the same answer as the whole text: every trigger matches the whole
extent of any text its entity's Presidio patterns can match, windows add a margin for
context words and are widened to whitespace, so `\\b` and look-arounds see the same
neighbours. Known difference: context words more than ~48 characters before a
candidate are outside the window (they only change scores).

Offline: tldextract reads the bundled public-suffix snapshot (env var set before
Presidio is imported, and our e-mail recognizer uses its own offline extractor). No
spaCy model is needed: a blank English tokenizer supplies tokens, and lower-cased token
text stands in for lemmas so Presidio's context words still work.
"""

from __future__ import annotations

import bisect
import functools
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

# Must precede any tldextract import (Presidio's e-mail/URL recognizers import it), or
# its module-level extractor would try to download the public-suffix list.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

import hyperscan  # noqa: E402
import numpy as np  # noqa: E402
import phonenumbers  # noqa: E402
from presidio_analyzer import EntityRecognizer, RecognizerResult  # noqa: E402

from schemas.pii import PiiFinding, PiiSettings  # noqa: E402
from transforms.pii_recognizers import (  # noqa: E402
    LANGUAGE,
    LinearLemmaContextAwareEnhancer,
    PhoneContextRecognizer,
    PiiConfigError,
    build_presidio_analyzer,
)
from transforms.pii_redaction import is_allowed, value_token  # noqa: E402

__all__ = ["PiiConfigError", "PiiEngine", "RawSpan", "build_presidio_analyzer", "raw_span_of"]

CONTEXT_MARGIN = 48  # characters kept before a candidate for Presidio's context words
EDGE_MARGIN = 16  # characters kept after a candidate
SNAP_LIMIT = 32  # how far a window edge may move to reach whitespace
CHUNK_CHARS = 2048  # windows joined per Presidio call
# Seven filler words: Presidio looks back at most 5 (+1) keywords for context, so no
# context word leaks from one window into the next; letters also break every digit run.
WINDOW_SEPARATOR = "\n\n" + " ".join(["qqqq"] * 7) + "\n\n"
# Their recognizers score every surviving match 1.0 (checksum or domain validated), so
# context words cannot change anything: skip tokenizing their windows.
# Phone numbers found only by a context phrase run PhoneContextRecognizer alone: sending
# every "call"/"text" window through Presidio's 8-region PhoneRecognizer cost 70% of the
# time, and PhoneRecognizer's own candidates all come through the digit-run trigger.
PHONE_CONTEXT_FAMILY = "PHONE_NUMBER:context"
CONTEXT_FREE_ENTITIES = frozenset(
    {"EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "PRIVATE_KEY", PHONE_CONTEXT_FAMILY}
)
CONTAINED_IN: dict[str, tuple[str, ...]] = {
    "PHONE_NUMBER": ("CREDIT_CARD", "US_SSN", "IBAN_CODE", "IP_ADDRESS"),
    "CREDIT_CARD": ("IBAN_CODE",),
    "US_SSN": ("IBAN_CODE", "CREDIT_CARD"),
}
# Presidio reports years with times ("37 2006", "35 -0500") as German numbers; no real
# number in the supported regions, written with its area code, has fewer than 7 digits.
MIN_PHONE_DIGITS = 7
MIN_PHONE_DIGITS_MINUS_ONE = MIN_PHONE_DIGITS - 1
# US ZIP+4 after a state code ("MA 02110-1301", the FSF's address in every GPL header).
_ZIP_PLUS_4 = re.compile(r"\b[A-Z]{2},?\s+\d{5}-\d{4}\b")
# A dotted quad followed by "-2", "~rc1" or a fifth ".18" is a package version
# (Debian "3.16.2.1-2", "2.13.90.0.18-1"), not an address.
_PACKAGE_VERSION_SUFFIX = re.compile(r"[-~+][0-9a-z]|\.\d")
# Dates, year ranges and time-zone stamps fill changelogs and copyright lines;
# none is a phone number, and checking each with 8 regions of phonenumbers is the single
# largest cost of the fast path, so digit runs holding one are dropped (documented filter).
_DATE_LIKE = re.compile(
    r"(?:19|20)\d\d-(?:[01]\d-[0-3]\d|(?:19|20)\d\d)(?!\d)"  # 2004-11-23, 2001-2003
    r"|(?<!\d)(?:19|20)\d\d [+-][01]\d[0-5]\d(?!\d)"  # git/e-mail dates: "2007 -0500"
)


@dataclass(frozen=True)
class Trigger:
    """A Hyperscan pattern whose matches cover every span Presidio could report."""

    entity_type: str
    pattern: bytes
    caseless: bool = False
    reach_left: int = 0  # how far a real entity may start before the trigger match
    reach_right: int = 0  # how far it may end after it
    phone_prescreen: bool = True  # PHONE_NUMBER only: ask phonenumbers before Presidio
    family: str = ""  # windows are grouped and analysed per family (default: entity type)

    @property
    def window_family(self) -> str:
        return self.family or self.entity_type


# libphonenumber's VALID_PUNCTUATION (space, dashes, dots, slashes, brackets, tilde, `x`,
# non-ASCII dashes and spaces), at most 4 between digits; no tabs or newlines.
_SEPARATORS = rb"[ x\-./()\[\]~\x80-\xff]{0,4}"
_SECRET_VALUE_CHARS = rb"[A-Za-z0-9+/=_\-.!@#$%^&*~]"
TRIGGERS: tuple[Trigger, ...] = (
    Trigger(
        "EMAIL_ADDRESS",
        rb"[A-Za-z0-9_\x80-\xff!#$%&'*+/=?^`{|}~.\-]+@[A-Za-z0-9_\x80-\xff\-]+"
        rb"(?:\.[A-Za-z0-9_\x80-\xff\-]+)+",
    ),
    # >= 7 digits: shorter "numbers" are years, times and ranges (see MIN_PHONE_DIGITS).
    Trigger(
        "PHONE_NUMBER",
        rb"[0-9]" + (_SEPARATORS + rb"[0-9]") * MIN_PHONE_DIGITS_MINUS_ONE,
        reach_left=2,
        reach_right=12,
    ),
    Trigger(
        "CREDIT_CARD",
        rb"[13456][0-9]{3}[\- ]?[0-9]{3,4}[\- ]?[0-9]{3,4}[\- ]?[0-9]{3,5}",
    ),
    # The context recognizers of transforms.pii_recognizers (numbers after a context word).
    Trigger(
        "CREDIT_CARD",
        rb"(?:credit|card|cc|visa|mastercard|amex)[^0-9\n]{0,24}[0-9]",
        caseless=True,
        reach_right=40,
    ),
    Trigger(
        "PHONE_NUMBER",
        # A plain superset of PhoneContextRecognizer's phrases (compiles in ms, not s).
        rb"\b(?:phone|tel|mobile|cell|fax|call|dial|whatsapp|sms|desk|office|registered"
        rb"|answering|reach|text|ring|messages?)\b[^0-9]{0,24}[+(0-9]",
        caseless=True,
        reach_right=30,
        phone_prescreen=False,
        family=PHONE_CONTEXT_FAMILY,
    ),
    Trigger(
        "PHONE_NUMBER",
        rb"[0-9][ \-]{1,2}(?:office|fax|mobile|cell|home|work|desk)\b",
        caseless=True,
        reach_left=30,
        phone_prescreen=False,
        family=PHONE_CONTEXT_FAMILY,
    ),
    Trigger(
        "US_SSN",
        rb"[0-9]{5}-[0-9]{4}|[0-9]{3}-[0-9]{6}|[0-9]{3}[\- .][0-9]{2}[\- .][0-9]{4}|[0-9]{9}",
    ),
    Trigger("IBAN_CODE", rb"[A-Z]{2}[0-9]{2}(?:[ \-]?[A-Z0-9]{4}){2}", reach_right=40),
    Trigger("IP_ADDRESS", rb"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}", reach_right=8),
    # An IPv6 match starts after a non-word, non-colon character and runs hex digits and
    # colons up to its "::"; this keeps C++ `std::` and most slices out.
    Trigger("IP_ADDRESS", rb"(?:^|[^A-Za-z0-9_:])[0-9A-Fa-f:]{0,40}::", reach_right=56),
    Trigger("IP_ADDRESS", rb"[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}", reach_right=24),
    Trigger(
        "AWS_ACCESS_KEY",
        rb"A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|ROA|PKA|SCA)[A-Z0-9]{16}",
    ),
    Trigger(
        "GITHUB_TOKEN", rb"gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22}", reach_right=64
    ),
    Trigger("GITLAB_TOKEN", rb"glpat-[A-Za-z0-9_\-]{20}"),
    Trigger("SLACK_TOKEN", rb"xox[abposr]-[A-Za-z0-9\-]{10}", reach_right=250),
    Trigger("PRIVATE_KEY", rb"-----BEGIN [A-Z0-9 ]*PRIVATE KEY", reach_right=16400),
    Trigger(
        "SECRET_VALUE",
        rb"(?:passw(?:or)?d|pwd|secret|api[_\-]?key|apikey|access[_\-]?token|auth[_\-]?token)"
        rb"[A-Za-z0-9_]*[\"']?\s{0,3}(?::=|=>|[:=])\s{0,3}[\"']?" + _SECRET_VALUE_CHARS + rb"{8}",
        caseless=True,
        reach_left=32,
        reach_right=200,
    ),
)


@functools.lru_cache(maxsize=65536)
def _phone_matches(candidate: str, regions: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Spans phonenumbers finds in a candidate alone (cached: the same digit runs recur).

    Only these spans, widened into windows, go to Presidio's PhoneRecognizer, which then
    decides in context; this keeps its 8-regions-per-window cost off most digit runs and
    off the rest of long runs such as number tables.
    """
    return tuple(
        sorted(
            {
                (match.start, match.end)
                for region in regions
                for match in phonenumbers.PhoneNumberMatcher(candidate, region, leniency=1)
            }
        )
    )


class _ValueFreeLogs(logging.Filter):
    """Presidio logs matched text on some errors (e.g. IBAN validation): drop the arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.args = ()
        return True


@dataclass(frozen=True)
class RawSpan:
    """A Presidio result before our filters, in whole-text coordinates."""

    entity_type: str
    start: int
    end: int
    score: float
    recognizer: str


def _char_offsets(text: str) -> tuple[bytes, np.ndarray | None]:
    """UTF-8 bytes of the text, and a byte-to-character index map unless the text is ASCII."""
    if text.isascii():
        return text.encode("ascii"), None
    # surrogatepass: JSON may carry lone surrogates ("\ud800"); each becomes one 3-byte
    # sequence, so the character map below stays right instead of the scan crashing.
    data = text.encode("utf-8", errors="surrogatepass")
    is_char_start = (np.frombuffer(data, dtype=np.uint8) & 0xC0) != 0x80
    char_index = np.cumsum(is_char_start) - 1
    return data, np.append(char_index, len(text))


class PiiEngine:
    """Scans texts for the configured entities. Build once per worker; not thread-safe.

    Pickles as its settings and rebuilds itself on first use, so Beam can ship it.
    """

    def __init__(self, settings: PiiSettings) -> None:
        self.settings = settings
        self._build()

    def _build(self) -> None:
        self.analyzer = build_presidio_analyzer(self.settings, LinearLemmaContextAwareEnhancer())
        self._recognizers_by_entity = {
            entity: self.analyzer.registry.get_recognizers(LANGUAGE, entities=[entity])
            for entity in self.settings.entities
        }
        self._recognizers_by_entity[PHONE_CONTEXT_FAMILY] = [
            r
            for r in self._recognizers_by_entity.get("PHONE_NUMBER", [])
            if isinstance(r, PhoneContextRecognizer)
        ]
        presidio_logger = logging.getLogger("presidio-analyzer")
        if not any(isinstance(f, _ValueFreeLogs) for f in presidio_logger.filters):
            presidio_logger.addFilter(_ValueFreeLogs())
        self._triggers = [t for t in TRIGGERS if t.entity_type in self.settings.entities]
        self._database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        flags = [
            hyperscan.HS_FLAG_SOM_LEFTMOST | (hyperscan.HS_FLAG_CASELESS if t.caseless else 0)
            for t in self._triggers
        ]
        self._database.compile(
            expressions=[t.pattern for t in self._triggers],
            ids=list(range(len(self._triggers))),
            flags=flags,
        )

    def __getstate__(self) -> dict:
        return {"settings": self.settings}

    def __setstate__(self, state: dict) -> None:
        self.settings = state["settings"]
        self._build()

    # -- public API -------------------------------------------------------------------

    def scan(self, text: str, key: bytes) -> list[PiiFinding]:
        """Findings in one text, sorted by position."""
        return self.scan_batch([text], key)[0]

    def scan_batch(self, texts: Sequence[str], key: bytes) -> list[list[PiiFinding]]:
        """Findings per text; batching shares Presidio calls across documents."""
        raw = self.raw_spans_batch(texts)
        return [self._finalise(text, spans, key) for text, spans in zip(texts, raw, strict=True)]

    def scan_reference(self, text: str, key: bytes) -> list[PiiFinding]:
        """The same findings computed by Presidio over the whole text (slow; for checks)."""
        return self._finalise(text, self.reference_raw_spans(text), key)

    def reference_raw_spans(self, text: str) -> list[RawSpan]:
        results = self.analyzer.analyze(
            text, language=LANGUAGE, entities=list(self.settings.entities), score_threshold=0.0
        )
        return _by_position(raw_span_of(r) for r in results)

    def raw_spans_batch(self, texts: Sequence[str]) -> list[list[RawSpan]]:
        """Presidio's results on candidate windows, before thresholds and allow-lists."""
        windows_by_entity: dict[str, list[tuple[int, int, int]]] = {}
        for doc_index, text in enumerate(texts):
            for entity, windows in self._candidate_windows(text).items():
                windows_by_entity.setdefault(entity, []).extend(
                    (doc_index, start, end) for start, end in windows
                )
        found: list[set[RawSpan]] = [set() for _ in texts]
        for entity, windows in windows_by_entity.items():
            for chunk in _chunks(windows):
                self._analyze_chunk(texts, entity, chunk, found)
        return [_by_position(spans) for spans in found]

    # -- fast path --------------------------------------------------------------------

    def _candidate_windows(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Per entity type, merged (start, end) windows in character offsets."""
        data, char_index = _char_offsets(text)
        hits: dict[int, list[tuple[int, int]]] = {}

        def on_match(trigger_id: int, start: int, end: int, flags: int, context) -> None:
            hits.setdefault(trigger_id, []).append((start, end))

        self._database.scan(data, match_event_handler=on_match)
        spans: dict[str, list[tuple[int, int]]] = {}
        for trigger_id, trigger_hits in hits.items():
            trigger = self._triggers[trigger_id]
            for start, end in _merge(sorted(trigger_hits)):
                if char_index is not None:
                    start, end = int(char_index[start]), int(char_index[end])
                if trigger.entity_type == "PHONE_NUMBER" and trigger.phone_prescreen:
                    pieces = self._phone_spans(text, start, end)
                else:
                    pieces = ((start, end),)
                for piece_start, piece_end in pieces:
                    self._add_window(text, trigger, piece_start, piece_end, spans)
        return {entity: _merge(sorted(found)) for entity, found in spans.items()}

    @staticmethod
    def _add_window(
        text: str, trigger: Trigger, start: int, end: int, spans: dict[str, list]
    ) -> None:
        needs_context = trigger.window_family not in CONTEXT_FREE_ENTITIES
        spans.setdefault(trigger.window_family, []).append(
            _snap(
                text,
                start - trigger.reach_left - CONTEXT_MARGIN * needs_context,
                end + trigger.reach_right + EDGE_MARGIN * needs_context,
                len(text),
            )
        )

    def _phone_spans(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        """Where in a digit run phonenumbers sees a number; [] for dates and ranges."""
        if _DATE_LIKE.search(text, start, end):
            return []
        lead = 1 if start > 0 and text[start - 1] in "+(" else 0
        base = start - lead
        matches = _phone_matches(text[base:end], tuple(self.settings.phone_regions))
        return [(base + match_start, base + match_end) for match_start, match_end in matches]

    def _analyze_chunk(
        self,
        texts: Sequence[str],
        entity: str,
        chunk: list[tuple[int, int, int]],
        found: list[set[RawSpan]],
    ) -> None:
        offsets: list[int] = []
        pieces: list[str] = []
        cursor = 0
        for doc_index, start, end in chunk:
            if pieces:
                pieces.append(WINDOW_SEPARATOR)
                cursor += len(WINDOW_SEPARATOR)
            offsets.append(cursor)
            pieces.append(texts[doc_index][start:end])
            cursor += end - start
        joined = "".join(pieces)
        if entity in CONTEXT_FREE_ENTITIES:
            results = self._analyze_without_context(joined, entity)
        else:
            results = self.analyzer.analyze(
                joined, language=LANGUAGE, entities=[entity], score_threshold=0.0
            )
        for result in results:
            index = bisect.bisect_right(offsets, result.start) - 1
            doc_index, start, end = chunk[index]
            shift = start - offsets[index]
            if result.end + shift > end:
                continue  # crosses a separator: cannot be a real span
            span = raw_span_of(result)
            found[doc_index].add(
                RawSpan(
                    span.entity_type,
                    span.start + shift,
                    span.end + shift,
                    span.score,
                    span.recognizer,
                )
            )

    def _analyze_without_context(self, text: str, entity: str) -> list[RecognizerResult]:
        """What AnalyzerEngine.analyze returns for a context-free entity, minus its overhead.

        For these entities the engine's extra steps (tokenizing, deep-copying every result
        for the context enhancer) cannot change a result, so the recognizers run directly.
        """
        results: list[RecognizerResult] = []
        for recognizer in self._recognizers_by_entity[entity]:
            for result in recognizer.analyze(text=text, entities=[entity], nlp_artifacts=None):
                result.recognition_metadata = result.recognition_metadata or {}
                result.recognition_metadata.setdefault(
                    RecognizerResult.RECOGNIZER_NAME_KEY, recognizer.name
                )
                results.append(result)
        return EntityRecognizer.remove_duplicates(results)

    # -- filters ----------------------------------------------------------------------

    def _finalise(self, text: str, spans: list[RawSpan], key: bytes) -> list[PiiFinding]:
        """Threshold, allow-lists, documented false-positive filters, then tokens."""
        settings = self.settings
        kept = [s for s in _best_per_span(spans) if s.score >= settings.score_threshold]
        kept = [s for s in kept if _plausible(text, s)]
        kept = _one_per_overlap(_drop_contained(kept))
        findings = []
        for span in kept:
            value = text[span.start : span.end]
            if is_allowed(span.entity_type, value, settings):
                continue
            token = value_token(key, span.entity_type, value, settings.phone_regions)
            findings.append(
                PiiFinding(
                    span.start,
                    span.end,
                    span.entity_type,
                    round(span.score, 4),
                    span.recognizer,
                    token,
                )
            )
        return sorted(findings)


def raw_span_of(result: RecognizerResult) -> RawSpan:
    name = (result.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY, "")
    return RawSpan(result.entity_type, result.start, result.end, float(result.score), name)


def _by_position(spans) -> list[RawSpan]:
    return sorted(spans, key=lambda s: (s.start, s.end, s.entity_type, s.recognizer))


def _snap(text: str, start: int, end: int, length: int) -> tuple[int, int]:
    """Widen a window to whitespace so word boundaries inside it match the whole text's."""
    start, end = max(start, 0), min(end, length)
    limit = max(start - SNAP_LIMIT, 0)
    while start > limit and not text[start - 1].isspace():
        start -= 1
    limit = min(end + SNAP_LIMIT, length)
    while end < limit and not text[end].isspace():
        end += 1
    return start, end


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of sorted, possibly overlapping or touching spans."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _chunks(windows: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    chunks: list[list[tuple[int, int, int]]] = []
    size = CHUNK_CHARS + 1
    for window in windows:
        if size > CHUNK_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(window)
        size += window[2] - window[1]
    return chunks


def _best_per_span(spans: list[RawSpan]) -> list[RawSpan]:
    best: dict[tuple[str, int, int], RawSpan] = {}
    for span in spans:
        key = (span.entity_type, span.start, span.end)
        if key not in best or span.score > best[key].score:
            best[key] = span
    return list(best.values())


def _one_per_overlap(spans: list[RawSpan]) -> list[RawSpan]:
    """Among overlapping spans of one type keep the higher score, then the longer one.

    Presidio's recognizer and our context recognizer can read one phone number with or
    without its "+" or brackets; one person's number must count once.
    """
    ranked = sorted(spans, key=lambda s: (-s.score, s.start - s.end, s.start, s.recognizer))
    kept: list[RawSpan] = []
    for span in ranked:
        if all(
            k.entity_type != span.entity_type or span.end <= k.start or k.end <= span.start
            for k in kept
        ):
            kept.append(span)
    return kept


def _plausible(text: str, span: RawSpan) -> bool:
    """Documented false-positive filters on Presidio's phone and IP results."""
    value = text[span.start : span.end]
    if span.entity_type == "PHONE_NUMBER":
        return (
            sum(c.isdigit() for c in value) >= MIN_PHONE_DIGITS
            and not _DATE_LIKE.search(value)
            and not _ZIP_PLUS_4.search(text, max(span.start - 4, 0), span.end)
            and not _is_numeric_range(value)
            and not _is_version(value)
        )
    if span.entity_type == "IP_ADDRESS":
        return not _PACKAGE_VERSION_SUFFIX.match(text, span.end)
    return True


def _is_version(value: str) -> bool:
    """ "2.13.90.0.18-1" is a version; "01.84.17.61.18" (French style) is a phone number."""
    parts = value.split(".")
    return len(parts) >= 4 and not all(len(p) == 2 and p.isdigit() for p in parts[1:])


def _is_numeric_range(value: str) -> bool:
    """ "60000-64999": two equal-length numbers, the second larger (uid ranges, pages)."""
    low, dash, high = value.partition("-")
    return (
        bool(dash)
        and low.isdigit()
        and high.isdigit()
        and len(low) == len(high)
        and int(low) < int(high)
    )


def _drop_contained(spans: list[RawSpan]) -> list[RawSpan]:
    """Drop a finding lying inside a stronger finding of another type (see CONTAINED_IN).

    libphonenumber happily reads a card number, an SSN or an IP as a phone number, and
    four digit groups of an IBAN pass Luhn one time in ten; Presidio reports both
    readings, and the weaker one is a false positive we filter on purpose.
    """
    return [
        s
        for s in spans
        if not any(
            o.entity_type in CONTAINED_IN.get(s.entity_type, ())
            and o.start <= s.start
            and s.end <= o.end
            for o in spans
        )
    ]

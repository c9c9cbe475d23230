"""Offline Presidio engine for personal data and secrets, with a linear-time trigger fast path.

Why a fast path: Presidio's AnalyzerEngine on whole documents runs ~0.2 MB/s/core (spaCy
tokenizes everything, the lemma context enhancer is quadratic, PhoneRecognizer runs one
phonenumbers matcher per region over the whole text). Personal data is sparse, so one
Hyperscan pass finds candidate regions (transforms.pii_triggers) and Presidio's own
recognizers (Luhn, IBAN checksum, phonenumbers parsing, context words) run only on small
windows around them, batched: windows of many documents are joined into one text per
entity type, so each call is amortised. Offsets are mapped back to whole-text coordinates.

Why tokenizing only some windows gives the same answer: Presidio's engine tokenizes a
text only so that its context enhancer can look at the words around each result, and
most windows hold no result (a nine-digit number that is no SSN, a version number that
is no address). The recognizers run first; only windows with a result are tokenized,
joined with the same separator, and enhanced by Presidio's own enhancer.

Offline: tldextract reads the bundled public-suffix snapshot (env var set before
Presidio is imported, and our e-mail recognizer uses its own offline extractor). No
spaCy model is needed: a blank English tokenizer supplies tokens, and lower-cased token
text stands in for lemmas so Presidio's context words still work.
"""

from __future__ import annotations

import bisect
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

# Must precede any tldextract import (Presidio's e-mail/URL recognizers import it), or
# its module-level extractor would try to download the public-suffix list.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

from presidio_analyzer import EntityRecognizer, RecognizerResult  # noqa: E402

from schemas.pii import PiiFinding, PiiSettings  # noqa: E402
from transforms.pii_phone import DATE_LIKE, MIN_PHONE_DIGITS  # noqa: E402
from transforms.pii_recognizers import (  # noqa: E402
    LANGUAGE,
    LinearLemmaContextAwareEnhancer,
    PhoneContextRecognizer,
    PiiConfigError,
    build_presidio_analyzer,
)
from transforms.pii_redaction import is_allowed, value_token  # noqa: E402
from transforms.pii_triggers import (  # noqa: E402
    CONTEXT_FREE_ENTITIES,
    CONTEXT_MARGIN,
    EDGE_MARGIN,
    PHONE_CONTEXT_FAMILY,
    TRIGGERS,
    TriggerScanner,
    Window,
    chunks,
    join_windows,
    snap_to_whitespace,
)

__all__ = [
    "LANGUAGE",
    "TRIGGERS",
    "PiiConfigError",
    "PiiEngine",
    "RawSpan",
    "build_presidio_analyzer",
    "raw_span_of",
]

CONTAINED_IN: dict[str, tuple[str, ...]] = {
    "PHONE_NUMBER": ("CREDIT_CARD", "US_SSN", "IBAN_CODE", "IP_ADDRESS"),
    "CREDIT_CARD": ("IBAN_CODE",),
    "US_SSN": ("IBAN_CODE", "CREDIT_CARD"),
}
_CONTAINER_TYPES = frozenset(t for types in CONTAINED_IN.values() for t in types)
# US ZIP+4 after a state code ("MA 02110-1301", the FSF's address in every GPL header).
_ZIP_PLUS_4 = re.compile(r"\b[A-Z]{2},?\s+\d{5}-\d{4}\b")
# A dotted quad followed by "-2", "~rc1" or a fifth ".18" is a package version
# (Debian "3.16.2.1-2", "2.13.90.0.18-1"), not an address.
_PACKAGE_VERSION_SUFFIX = re.compile(r"[-~+][0-9a-z]|\.\d")


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


class PiiEngine:
    """Scans texts for the configured entities. Build once per worker; not thread-safe.

    Pickles as its settings and rebuilds itself on first use, so Beam can ship it.
    """

    def __init__(self, settings: PiiSettings) -> None:
        self.settings = settings
        self._build()

    def _build(self) -> None:
        self.analyzer = build_presidio_analyzer(
            self.settings, LinearLemmaContextAwareEnhancer(), memoised_phone=True
        )
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
        self._scanner = TriggerScanner(self.settings.entities, self.settings.phone_regions)

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
        found: list[set[RawSpan]] = [set() for _ in texts]
        for family, windows in self._scanner.windows_by_family(texts).items():
            for chunk in chunks(windows):
                self._analyze_chunk(texts, family, chunk, found)
        return [_by_position(spans) for spans in found]

    # -- fast path --------------------------------------------------------------------

    def _analyze_chunk(
        self, texts: Sequence[str], family: str, chunk: list[Window], found: list[set[RawSpan]]
    ) -> None:
        """Presidio's results on one joined run of windows, added per document."""
        joined, offsets = join_windows(texts, chunk)
        results = self._recognize(joined, family)
        context_free = family in CONTEXT_FREE_ENTITIES
        if context_free:
            results = EntityRecognizer.remove_duplicates(results)
        placed: list[tuple[int, RecognizerResult]] = []
        for result in results:
            index = bisect.bisect_right(offsets, result.start) - 1
            doc_index, start, end = chunk[index]
            shift = start - offsets[index]
            if result.end + shift > end:
                continue  # crosses a separator: cannot be a real span
            result.start += shift
            result.end += shift
            placed.append((doc_index, result))
        if placed and not context_free:
            placed = self._enhance_with_context(texts, family, placed)
        for doc_index, result in placed:
            found[doc_index].add(raw_span_of(result))

    def _recognize(self, text: str, family: str) -> list[RecognizerResult]:
        """The family's recognizers on a text, as AnalyzerEngine runs them (before context)."""
        entity = family.partition(":")[0]
        results: list[RecognizerResult] = []
        for recognizer in self._recognizers_by_entity[family]:
            for result in recognizer.analyze(text=text, entities=[entity], nlp_artifacts=None):
                metadata = result.recognition_metadata = result.recognition_metadata or {}
                metadata.setdefault(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, recognizer.id)
                metadata.setdefault(RecognizerResult.RECOGNIZER_NAME_KEY, recognizer.name)
                results.append(result)
        return results

    def _enhance_with_context(
        self, texts: Sequence[str], family: str, placed: list[tuple[int, RecognizerResult]]
    ) -> list[tuple[int, RecognizerResult]]:
        """Presidio's context step on the text around each result (document coordinates).

        The margins around results are merged per document, joined with the separator
        and tokenized; every result sees the words around it and nothing from elsewhere.
        """
        margins = sorted(
            (
                doc_index,
                *snap_to_whitespace(
                    texts[doc_index],
                    r.start - CONTEXT_MARGIN,
                    r.end + EDGE_MARGIN,
                    len(texts[doc_index]),
                ),
            )
            for doc_index, r in placed
        )
        windows: list[Window] = []
        for doc_index, start, end in margins:
            if windows and windows[-1][0] == doc_index and start <= windows[-1][2]:
                windows[-1] = (doc_index, windows[-1][1], max(end, windows[-1][2]))
            else:
                windows.append((doc_index, start, end))
        joined, offsets = join_windows(texts, windows)
        results = []
        for doc_index, result in placed:
            index = bisect.bisect_right(windows, (doc_index, result.start, len(texts[doc_index])))
            shift = offsets[index - 1] - windows[index - 1][1]
            result.start += shift
            result.end += shift
            results.append(result)
        artifacts = self.analyzer.nlp_engine.process_text(joined, LANGUAGE)
        enhanced = self.analyzer._enhance_using_context(
            joined, results, artifacts, self._recognizers_by_entity[family], None
        )
        placed = []
        for result in EntityRecognizer.remove_duplicates(enhanced):
            index = bisect.bisect_right(offsets, result.start) - 1
            shift = windows[index][1] - offsets[index]
            result.start += shift
            result.end += shift
            placed.append((windows[index][0], result))
        return placed

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
    # Kept spans of one type never overlap, so sorted by start their ends are sorted too:
    # only the last one starting before a new span ends can overlap it.
    starts: dict[str, list[int]] = {}
    ends: dict[str, list[int]] = {}
    for span in ranked:
        type_starts = starts.setdefault(span.entity_type, [])
        type_ends = ends.setdefault(span.entity_type, [])
        before = bisect.bisect_left(type_starts, span.end)
        if before and type_ends[before - 1] > span.start:
            continue
        type_starts.insert(before, span.start)
        type_ends.insert(before, span.end)
        kept.append(span)
    return kept


def _plausible(text: str, span: RawSpan) -> bool:
    """Documented false-positive filters on Presidio's phone and IP results."""
    value = text[span.start : span.end]
    if span.entity_type == "PHONE_NUMBER":
        return (
            sum(c.isdigit() for c in value) >= MIN_PHONE_DIGITS
            and not DATE_LIKE.search(value)
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
    containers = [s for s in spans if s.entity_type in _CONTAINER_TYPES]
    return [
        s
        for s in spans
        if s.entity_type not in CONTAINED_IN
        or not any(
            o.entity_type in CONTAINED_IN[s.entity_type] and o.start <= s.start and s.end <= o.end
            for o in containers
        )
    ]

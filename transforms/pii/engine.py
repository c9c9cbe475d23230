"""Offline Presidio engine for personal data and secrets, with a linear-time trigger fast path.

Why a fast path: Presidio's AnalyzerEngine on whole documents runs ~0.2 MB/s/core (spaCy
tokenizes everything, the lemma context enhancer is quadratic, PhoneRecognizer runs one
phonenumbers matcher per region over the whole text). Personal data is sparse, so one
Hyperscan pass finds candidate regions (transforms.pii.triggers) and Presidio's own
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
import copy
import logging
from collections.abc import Sequence

# tldextract (imported by Presidio) is kept offline by this package's __init__, which
# runs before this module.
from presidio_analyzer import EntityRecognizer, RecognizerResult

from schemas.pii import PiiFinding, PiiSettings
from transforms.common.time_budget import Deadline, check
from transforms.pii.analyzer import (
    LANGUAGE,
    LinearLemmaContextAwareEnhancer,
    PiiConfigError,
    build_presidio_analyzer,
)
from transforms.pii.context_numbers import PhoneContextRecognizer
from transforms.pii.filters import (
    RawSpan,
    best_per_span,
    drop_contained,
    one_per_overlap,
    plausible,
)
from transforms.pii.redaction import is_allowed, value_token
from transforms.pii.triggers import (
    CONTEXT_FREE_ENTITIES,
    CONTEXT_MARGIN,
    EDGE_MARGIN,
    PHONE_CONTEXT_FAMILY,
    TRIGGERS,
    TriggerScanner,
    Window,
    chunks,
    join_pieces,
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

WINDOW_CACHE_SIZE = 100_000  # distinct window texts remembered per family
TOKEN_CACHE_SIZE = 100_000  # distinct (key, type, value) tokens remembered


class _ValueFreeLogs(logging.Filter):
    """Presidio logs matched text on some errors (e.g. IBAN validation): drop the arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.args = ()
        return True


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
        self._window_results: dict[str, dict[str, tuple[RecognizerResult, ...]]] = {}
        self._tokens: dict[tuple[bytes, str, str], str] = {}  # "" marks an allowed value
        # Lower-cased context words per recognizer id; a word with capitals never matches
        # a lower-cased lemma, so lowering it only makes the margin check more careful.
        self._context_words = {
            recognizer.id: tuple(word.lower() for word in recognizer.context or ())
            for recognizers in self._recognizers_by_entity.values()
            for recognizer in recognizers
        }

    def __getstate__(self) -> dict:
        return {"settings": self.settings}

    def __setstate__(self, state: dict) -> None:
        self.settings = state["settings"]
        self._build()

    # -- public API -------------------------------------------------------------------

    def scan(self, text: str, key: bytes, deadline: Deadline | None = None) -> list[PiiFinding]:
        """Findings in one text, sorted by position."""
        return self.scan_batch([text], key, deadline)[0]

    def scan_batch(
        self, texts: Sequence[str], key: bytes, deadline: Deadline | None = None
    ) -> list[list[PiiFinding]]:
        """Findings per text; batching shares Presidio calls across documents.

        Raises TimeBudgetExceeded once `deadline` has passed (checked between chunks).
        """
        raw = self.raw_spans_batch(texts, deadline)
        return [self._finalise(text, spans, key) for text, spans in zip(texts, raw, strict=True)]

    def scan_reference(self, text: str, key: bytes) -> list[PiiFinding]:
        """The same findings computed by Presidio over the whole text (slow; for checks)."""
        return self._finalise(text, self.reference_raw_spans(text), key)

    def reference_raw_spans(self, text: str) -> list[RawSpan]:
        results = self.analyzer.analyze(
            text, language=LANGUAGE, entities=list(self.settings.entities), score_threshold=0.0
        )
        return _by_position(raw_span_of(r) for r in results)

    def raw_spans_batch(
        self, texts: Sequence[str], deadline: Deadline | None = None
    ) -> list[list[RawSpan]]:
        """Presidio's results on candidate windows, before thresholds and allow-lists."""
        found: list[set[RawSpan]] = [set() for _ in texts]
        families = self._scanner.windows_by_family(texts)
        for family, windows in families.items():
            self._analyze_family(texts, family, windows, found, deadline)
        if PHONE_CONTEXT_FAMILY in families and "PHONE_NUMBER" in families:
            found = [_phone_families_deduplicated(spans) for spans in found]
        return [_by_position(spans) for spans in found]

    # -- fast path --------------------------------------------------------------------

    def _analyze_family(
        self,
        texts: Sequence[str],
        family: str,
        windows: list[Window],
        found: list[set[RawSpan]],
        deadline: Deadline | None = None,
    ) -> None:
        """Presidio's results on a family's windows, added per document.

        Recognizers are pure functions of the text they read, so each distinct window
        text is recognized once (changelogs repeat one maintainer's address thousands of
        times), in joined chunks; context is then read around each result in place.
        """
        known = self._window_results.setdefault(family, {})
        if len(known) > WINDOW_CACHE_SIZE:
            known.clear()
        pieces = [texts[doc_index][start:end] for doc_index, start, end in windows]
        for chunk in chunks(list(dict.fromkeys(p for p in pieces if p not in known))):
            check(deadline)
            self._recognize_pieces(chunk, family, known)
        check(deadline)
        if family in CONTEXT_FREE_ENTITIES:
            for (doc_index, start, _), piece in zip(windows, pieces, strict=True):
                for cached in known[piece]:
                    span = raw_span_of(cached)
                    found[doc_index].add(
                        RawSpan(
                            span.entity_type,
                            span.start + start,
                            span.end + start,
                            span.score,
                            span.recognizer,
                        )
                    )
            return
        placed: list[tuple[int, RecognizerResult]] = []
        for (doc_index, start, _), piece in zip(windows, pieces, strict=True):
            for cached in known[piece]:
                result = copy.copy(cached)  # the context step deep-copies before changing
                result.start += start
                result.end += start
                placed.append((doc_index, result))
        if placed:
            placed = self._enhance_with_context(texts, family, placed)
        for doc_index, result in placed:
            found[doc_index].add(raw_span_of(result))

    def _recognize_pieces(
        self, chunk: list[str], family: str, known: dict[str, tuple[RecognizerResult, ...]]
    ) -> None:
        """Recognizer results of each window text, relative to it, into `known`."""
        joined, offsets = join_pieces(chunk)
        results = self._recognize(joined, family)
        if family in CONTEXT_FREE_ENTITIES:
            results = EntityRecognizer.remove_duplicates(results)
        per_piece: list[list[RecognizerResult]] = [[] for _ in chunk]
        for result in results:
            index = bisect.bisect_right(offsets, result.start) - 1
            result.start -= offsets[index]
            result.end -= offsets[index]
            if result.end <= len(chunk[index]):  # else it crosses a separator: not real
                per_piece[index].append(result)
        for piece, piece_results in zip(chunk, per_piece, strict=True):
            known[piece] = tuple(piece_results)

    def _recognize(self, text: str, family: str) -> list[RecognizerResult]:
        """The family's recognizers on a text, as AnalyzerEngine runs them (before context)."""
        entity = family.partition(":")[0]
        results: list[RecognizerResult] = []
        for recognizer in self._recognizers_by_entity[family]:
            # No NLP artifacts: these recognizers run before any tokenizing. Presidio's
            # base class types the argument as required, while the pattern and phone
            # recognizers used here (pattern, phone and our own) declare and handle None.
            results_of_recognizer = recognizer.analyze(
                text=text,
                entities=[entity],
                nlp_artifacts=None,  # type: ignore[arg-type]
            )
            for result in results_of_recognizer:
                metadata = result.recognition_metadata = result.recognition_metadata or {}
                metadata.setdefault(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, recognizer.id)
                # Presidio annotates its `name` parameter `str = None`, so mypy takes the
                # branch that sets the attribute for None as unreachable and cannot type it.
                metadata.setdefault(
                    RecognizerResult.RECOGNIZER_NAME_KEY,
                    recognizer.name,  # type: ignore[has-type]
                )
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
        grouped: dict[int, list[RecognizerResult]] = {}
        for doc_index, result in placed:
            index = bisect.bisect_right(windows, (doc_index, result.start, len(texts[doc_index])))
            grouped.setdefault(index - 1, []).append(result)
        # The enhancer raises a score only when one of the recognizer's context words is
        # part of a nearby token; a margin holding none of them as text is left alone.
        needed = [
            index
            for index, results in grouped.items()
            if self._mentions_context(texts, windows[index], results)
        ]
        if needed:
            joined, offsets = join_windows(texts, [windows[i] for i in needed])
            results = []
            for k, index in enumerate(needed):
                shift = offsets[k] - windows[index][1]
                for result in grouped[index]:
                    result.start += shift
                    result.end += shift
                    results.append(result)
            artifacts = self.analyzer.nlp_engine.process_text(joined, LANGUAGE)
            enhanced = self.analyzer._enhance_using_context(
                joined, results, artifacts, self._recognizers_by_entity[family], None
            )
            for index in needed:
                grouped[index] = []
            for result in enhanced:
                k = bisect.bisect_right(offsets, result.start) - 1
                shift = windows[needed[k]][1] - offsets[k]
                result.start += shift
                result.end += shift
                grouped[needed[k]].append(result)
        return [
            (windows[index][0], result)
            for index, results in grouped.items()
            for result in EntityRecognizer.remove_duplicates(results)
        ]

    def _mentions_context(
        self, texts: Sequence[str], window: Window, results: list[RecognizerResult]
    ) -> bool:
        words = {
            word
            for result in results
            for word in self._context_words.get(
                result.recognition_metadata.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY), ()
            )
        }
        if not words:
            return False
        doc_index, start, end = window
        lowered = texts[doc_index][start:end].lower()
        return any(word in lowered for word in words)

    # -- filters ----------------------------------------------------------------------

    def _finalise(self, text: str, spans: list[RawSpan], key: bytes) -> list[PiiFinding]:
        """Threshold, allow-lists, documented false-positive filters, then tokens."""
        settings = self.settings
        kept = [s for s in best_per_span(spans) if s.score >= settings.score_threshold]
        kept = [s for s in kept if plausible(text, s)]
        kept = one_per_overlap(drop_contained(kept))
        findings = []
        tokens = self._tokens
        if len(tokens) > TOKEN_CACHE_SIZE:
            tokens.clear()
        for span in kept:
            value = text[span.start : span.end]
            # Values recur (a maintainer's address on every changelog entry): the allow-list
            # check and the keyed token are pure functions of these, so remembered.
            cache_key = (key, span.entity_type, value)
            token = tokens.get(cache_key)
            if token is None:
                allowed = is_allowed(span.entity_type, value, settings)
                token = tokens[cache_key] = (
                    ""
                    if allowed
                    else value_token(key, span.entity_type, value, settings.phone_regions)
                )
            if not token:
                continue
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


def _phone_families_deduplicated(spans: set[RawSpan]) -> set[RawSpan]:
    """Presidio's duplicate removal across the two phone families, as on the whole text.

    Presidio drops a result inside another of its type with an equal or higher score;
    the digit-run and context-phrase windows are analysed apart, so that step is redone.
    """
    phones = sorted(
        (s for s in spans if s.entity_type == "PHONE_NUMBER"),
        key=lambda s: (s.start, s.start - s.end, -s.score, s.recognizer),
    )
    kept: list[RawSpan] = []
    for span in phones:
        if any(k.start <= span.start and span.end <= k.end and span.score <= k.score for k in kept):
            continue
        kept.append(span)
    return {s for s in spans if s.entity_type != "PHONE_NUMBER"} | set(kept)


def raw_span_of(result: RecognizerResult) -> RawSpan:
    name = (result.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY, "")
    return RawSpan(result.entity_type, result.start, result.end, float(result.score), name)


def _by_position(spans) -> list[RawSpan]:
    return sorted(spans, key=lambda s: (s.start, s.end, s.entity_type, s.recognizer))

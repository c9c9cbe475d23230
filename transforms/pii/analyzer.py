"""The Presidio side of the PII stage: an AnalyzerEngine built offline from our recognizers.

The engine holds Presidio's recognizers for the configured entities plus ours: secrets
(`transforms.pii.secrets`), context-word card and phone numbers
(`transforms.pii.context_numbers`), and an e-mail recognizer that never goes online. It
needs no spaCy model: a blank English tokenizer supplies tokens, lower-cased token text
stands in for lemmas. This module assembles; the recognizer families live apart so each
can be read and tuned on its own.

Offline: `transforms.pii` sets tldextract's suffix-list URLs to none before anything
imports Presidio (whose e-mail recognizer imports tldextract), and our e-mail recognizer
reads only tldextract's bundled snapshot.
"""

from __future__ import annotations

import bisect
import functools

import spacy
import tldextract
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.context_aware_enhancers import (
    ContextAwareEnhancer,
    LemmaContextAwareEnhancer,
)
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    UsSsnRecognizer,
)
from spacy.attrs import IDX, LENGTH, LOWER
from spacy.language import Language
from spacy.tokens import Doc

from schemas.pii import PiiSettings
from transforms.pii.context_numbers import CardNumberContextRecognizer, PhoneContextRecognizer
from transforms.pii.phone import MemoisedPhoneRecognizer
from transforms.pii.secrets import secret_recognizers

LANGUAGE = "en"


class PiiConfigError(ValueError):
    """The PII settings cannot be turned into an engine (e.g. a spaCy model is missing)."""


# One process-wide extractor that reads only tldextract's bundled public-suffix
# snapshot: no URL to fetch and no disk cache to write, whatever the environment says.
_OFFLINE_TLD_EXTRACTOR = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True
)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's EmailRecognizer, validating the domain against the bundled suffix list."""

    def validate_result(self, pattern_text: str) -> bool:
        return _has_public_suffix(pattern_text)


@functools.lru_cache(maxsize=65536)
def _has_public_suffix(address: str) -> bool:
    # Cached: maintainers' addresses recur on every changelog entry.
    return _OFFLINE_TLD_EXTRACTOR(address).fqdn != ""


class _TokenEndNlpArtifacts(NlpArtifacts):
    """NlpArtifacts that also carry each token's end offset, read from spaCy's arrays.

    The linear context enhancer bisects on these ends; carrying them saves it building a
    spaCy Token per token to compute them.
    """

    token_ends: list[int]


class _BlankSpacyNlpEngine(SpacyNlpEngine):
    """spaCy's rule-based English tokenizer with lower-cased text as lemmas; no model.

    Presidio's context enhancer compares lemmas with context words; a blank pipeline has
    empty lemmas, which would silently switch context off.
    """

    # Upstream assigns `self.nlp = None` unannotated, so mypy would type it as None for
    # good; once loaded it is this mapping, which `_flags` reads.
    nlp: dict[str, Language]  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": "blank:en"}])

    def load(self) -> None:
        self.nlp = {LANGUAGE: spacy.blank(LANGUAGE)}
        self._word_flags: dict[str, tuple[bool, bool]] = {}

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        # One array read instead of a spaCy Token object per token (the larger cost).
        columns = doc.to_array([IDX, LENGTH, LOWER]).tolist()
        strings = doc.vocab.strings
        artifacts = _TokenEndNlpArtifacts(
            entities=[],
            tokens=doc,
            tokens_indices=[idx for idx, _, _ in columns],
            lemmas=[strings[lower] for _, _, lower in columns],
            nlp_engine=self,
            language=language,
            scores=[],
        )
        artifacts.token_ends = [idx + length for idx, length, _ in columns]
        return artifacts

    def is_stopword(self, word: str, language: str) -> bool:
        return self._flags(word, language)[0]

    def is_punct(self, word: str, language: str) -> bool:
        return self._flags(word, language)[1]

    def _flags(self, word: str, language: str) -> tuple[bool, bool]:
        """spaCy's stop-word and punctuation flags, remembered per word (bounded)."""
        flags = self._word_flags.get(word)
        if flags is None:
            if len(self._word_flags) > 200_000:
                self._word_flags.clear()
            lexeme = self.nlp[language].vocab[word]
            flags = self._word_flags[word] = (lexeme.is_stop, lexeme.is_punct)
        return flags


def _nlp_engine(settings: PiiSettings) -> SpacyNlpEngine:
    if settings.nlp_model is None:
        return _BlankSpacyNlpEngine()
    if not spacy.util.is_package(settings.nlp_model):
        raise PiiConfigError(
            f"pii.nlp_model: spaCy model '{settings.nlp_model}' is not installed; install "
            f"it with `python -m spacy download {settings.nlp_model}` (or its wheel), or "
            "remove nlp_model to run without a model"
        )
    return SpacyNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": settings.nlp_model}])


class LinearLemmaContextAwareEnhancer(LemmaContextAwareEnhancer):
    """Presidio's lemma context enhancer, same results, without its quadratic lookups.

    Upstream finds each result's token by walking every token (creating a spaCy Token
    per step) and tests keywords against a list; here: one bisect on token end offsets
    and a set, both computed once per text.
    """

    def _extract_surrounding_words(
        self, nlp_artifacts: NlpArtifacts, word: str, start: int
    ) -> list[str]:
        if not nlp_artifacts.tokens:
            return [""]
        cache: tuple[list[int], set[str]] | None = getattr(
            nlp_artifacts, "_linear_context_cache", None
        )
        if cache is None:
            if isinstance(nlp_artifacts, _TokenEndNlpArtifacts):
                ends = nlp_artifacts.token_ends
            else:
                ends = [token.idx + len(token) for token in nlp_artifacts.tokens]
            cache = (ends, set(nlp_artifacts.keywords))
            # Cached on the artifacts themselves, which live exactly as long as one text;
            # NlpArtifacts declares no such attribute, whichever engine built them.
            nlp_artifacts._linear_context_cache = cache  # type: ignore[attr-defined]
        ends, keywords = cache
        token_index = bisect.bisect_right(ends, start)
        if token_index >= len(ends):
            raise ValueError("a result lies beyond the last token")
        # Upstream annotates the keywords `List[str]` but only tests membership, which a
        # set answers without a scan.
        backward = self._add_n_words_backward(
            token_index,
            self.context_prefix_count,
            nlp_artifacts.lemmas,
            keywords,  # type: ignore[arg-type]
        )
        forward = self._add_n_words_forward(
            token_index,
            self.context_suffix_count,
            nlp_artifacts.lemmas,
            keywords,  # type: ignore[arg-type]
        )
        return list(set(backward + forward))


def build_presidio_analyzer(
    settings: PiiSettings,
    context_enhancer: ContextAwareEnhancer | None = None,
    *,
    memoised_phone: bool = False,
) -> AnalyzerEngine:
    """An AnalyzerEngine with exactly the recognizers of the configured entities.

    Without `context_enhancer` it uses Presidio's default, and without `memoised_phone`
    Presidio's own PhoneRecognizer: the baseline benchmarks use. The engine's memoised
    phone recognizer returns the same results (transforms.pii.phone).
    """
    phone_class = MemoisedPhoneRecognizer if memoised_phone else PhoneRecognizer
    recognizers = [
        OfflineEmailRecognizer(),
        phone_class(supported_regions=tuple(settings.phone_regions)),
        PhoneContextRecognizer(),
        CreditCardRecognizer(),
        CardNumberContextRecognizer(),
        IbanRecognizer(),
        IpRecognizer(),
        UsSsnRecognizer(),
        *secret_recognizers(),
    ]
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for recognizer in recognizers:
        if set(recognizer.supported_entities) & set(settings.entities):
            registry.add_recognizer(recognizer)
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=_nlp_engine(settings),
        supported_languages=[LANGUAGE],
        context_aware_enhancer=context_enhancer,
    )

"""The Presidio side of the PII stage: our recognizers, and an AnalyzerEngine built offline.

Recognizers added to Presidio's: secrets, context-word card and phone numbers, and an
e-mail recognizer that never goes online. The engine needs no spaCy model: a blank
English tokenizer supplies tokens, lower-cased token text stands in for lemmas.

Secrets are `PatternRecognizer`s (or a `LocalRecognizer` where the span is a capture
group), so they run through the same AnalyzerEngine, context enhancer and windowing as
Presidio's own recognizers. Their patterns are case-sensitive on purpose: token prefixes
such as `AKIA` or `ghp_` are case-exact, and matching them caselessly only adds noise.
"""

from __future__ import annotations

import bisect
import functools
import math
import os
from collections import Counter

# Must precede the first tldextract import, whose module-level extractor would otherwise
# try to download the public-suffix list (our e-mail recognizer uses its own anyway).
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

import regex  # noqa: E402
import spacy  # noqa: E402
import tldextract  # noqa: E402
from presidio_analyzer import (  # noqa: E402
    AnalysisExplanation,
    AnalyzerEngine,
    EntityRecognizer,
    LocalRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import (  # noqa: E402
    ContextAwareEnhancer,
    LemmaContextAwareEnhancer,
)
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine  # noqa: E402
from presidio_analyzer.predefined_recognizers import (  # noqa: E402
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    UsSsnRecognizer,
)
from spacy.attrs import IDX, LENGTH, LOWER  # noqa: E402

from schemas.pii import PiiSettings  # noqa: E402
from transforms.pii.phone import MemoisedPhoneRecognizer  # noqa: E402

LANGUAGE = "en"


class PiiConfigError(ValueError):
    """The PII settings cannot be turned into an engine (e.g. a spaCy model is missing)."""


CASE_SENSITIVE = regex.DOTALL | regex.MULTILINE

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


class AwsAccessKeyRecognizer(PatternRecognizer):
    """AWS access key ids: a four-letter type prefix and 16 upper-case alphanumerics."""

    PATTERNS = [
        Pattern(
            "AWS access key id",
            r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b",
            0.9,
        )
    ]
    CONTEXT = ["aws", "access", "key", "amazon"]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="AWS_ACCESS_KEY",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            global_regex_flags=CASE_SENSITIVE,
            name="AwsAccessKeyRecognizer",
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        # AWS's own documentation key (AKIAIOSFODNN7EXAMPLE) and its kin are not secrets.
        return pattern_text.endswith("EXAMPLE")


def _token_recognizer(entity: str, name: str, patterns: list[Pattern]) -> PatternRecognizer:
    return PatternRecognizer(
        supported_entity=entity,
        name=name,
        patterns=patterns,
        context=["token", "secret", "key"],
        global_regex_flags=CASE_SENSITIVE,
    )


def github_token_recognizer() -> PatternRecognizer:
    """Classic (`ghp_` and kin, 36 chars) and fine-grained (`github_pat_`) GitHub tokens."""
    return _token_recognizer(
        "GITHUB_TOKEN",
        "GithubTokenRecognizer",
        [
            Pattern("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36}\b", 0.95),
            Pattern("GitHub fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{82}\b", 0.95),
        ],
    )


def gitlab_token_recognizer() -> PatternRecognizer:
    return _token_recognizer(
        "GITLAB_TOKEN",
        "GitlabTokenRecognizer",
        [Pattern("GitLab personal token", r"\bglpat-[A-Za-z0-9_\-]{20}(?![A-Za-z0-9_\-])", 0.95)],
    )


def slack_token_recognizer() -> PatternRecognizer:
    return _token_recognizer(
        "SLACK_TOKEN",
        "SlackTokenRecognizer",
        [Pattern("Slack token", r"\bxox[abposr]-[A-Za-z0-9\-]{10,250}(?![A-Za-z0-9\-])", 0.95)],
    )


def private_key_recognizer() -> PatternRecognizer:
    """A whole PEM private-key block, armour lines included (bounded so it stays linear)."""
    armour = r"(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?"
    return PatternRecognizer(
        supported_entity="PRIVATE_KEY",
        name="PrivateKeyRecognizer",
        patterns=[
            Pattern(
                "PEM private key",
                rf"-----BEGIN {armour}-----[A-Za-z0-9+/=\s:,\-]{{16,16000}}?-----END {armour}-----",
                1.0,
            )
        ],
        context=["key"],
        global_regex_flags=CASE_SENSITIVE,
    )


def shannon_entropy(value: str) -> float:
    """Bits per character; random base64 scores ~5-6, English words ~2.5-3.5."""
    counts = Counter(value)
    length = len(value)
    return -sum(n / length * math.log2(n / length) for n in counts.values())


class SecretAssignmentRecognizer(LocalRecognizer):
    """High-entropy values assigned to names like `password`, `secret`, `api_key`.

    The span is the value only (the name is not personal data). A value counts when it
    is >= 8 characters, has >= 3.0 bits/char of entropy and mixes >= 2 character
    classes, and is not a dotted identifier (`settings.SECRET_KEY`) or a placeholder.
    """

    ASSIGNMENT = regex.compile(
        r"(?i)\b(?:[a-z0-9_]*(?:passw(?:or)?d|pwd|secret|api[_\-]?key|apikey|"
        r"access[_\-]?token|auth[_\-]?token|client[_\-]?secret|private[_\-]?key))"
        r"[\"']?\s{0,3}(?::=|=>|[:=])\s{0,3}[\"']?"
        r"(?P<value>[A-Za-z0-9+/=_\-.!@#$%^&*~]{8,200})"
    )
    DOTTED_IDENTIFIER = regex.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$")
    PLACEHOLDER_WORDS = ("example", "changeme", "password", "secret", "xxxx", "your_", "dummy")
    MIN_ENTROPY = 3.0
    SCORE = 0.7

    def __init__(self) -> None:
        super().__init__(
            supported_entities=["SECRET_VALUE"],
            name="SecretAssignmentRecognizer",
            context=["password", "secret", "key", "token"],
        )

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list:
        results = []
        for match in self.ASSIGNMENT.finditer(text):
            value = match.group("value").rstrip(".")
            if not self.looks_secret(value):
                continue
            start = match.start("value")
            results.append(
                RecognizerResult(
                    entity_type="SECRET_VALUE",
                    start=start,
                    end=start + len(value),
                    score=self.SCORE,
                    analysis_explanation=AnalysisExplanation(
                        recognizer=self.name,
                        original_score=self.SCORE,
                        textual_explanation="high-entropy value assigned to a secret name",
                    ),
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
        return EntityRecognizer.remove_duplicates(results)

    @classmethod
    def looks_secret(cls, value: str) -> bool:
        if len(value) < 8 or cls.DOTTED_IDENTIFIER.match(value):
            return False
        lowered = value.lower()
        if any(word in lowered for word in cls.PLACEHOLDER_WORDS):
            return False
        classes = sum(
            (
                any(c.islower() for c in value),
                any(c.isupper() for c in value),
                any(c.isdigit() for c in value),
                any(not c.isalnum() for c in value),
            )
        )
        return classes >= 2 and shannon_entropy(value) >= cls.MIN_ENTROPY


class _ContextNumberRecognizer(LocalRecognizer):
    """Numbers that only count next to a context word; the span is the number only.

    These go beyond Presidio on purpose: its validators drop card numbers that fail Luhn
    and phone numbers libphonenumber cannot place in a configured region, yet "my card
    675984103431" or "Phone: 451 5986" is personal data whatever the checksum says.
    """

    ENTITY = ""
    PATTERNS: tuple[regex.Pattern, ...] = ()
    SCORE = 0.5

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__)

    def load(self) -> None:
        pass

    def accept(self, value: str) -> bool:
        raise NotImplementedError

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list:
        results = []
        for pattern in self.PATTERNS:
            for match in pattern.finditer(text):
                if not self.accept(match.group("value")):
                    continue
                results.append(
                    RecognizerResult(
                        entity_type=self.ENTITY,
                        start=match.start("value"),
                        end=match.end("value"),
                        score=self.SCORE,
                        analysis_explanation=AnalysisExplanation(
                            recognizer=self.name,
                            original_score=self.SCORE,
                            textual_explanation="number next to a context word",
                        ),
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        },
                    )
                )
        return EntityRecognizer.remove_duplicates(results)


CARD_CONTEXT = r"(?:credit|card|cc|visa|mastercard|amex)"
PHONE_CONTEXT_BEFORE = (
    r"(?:phone|telephone|tel|mobile|cell|cellphone|fax|call|dial|whatsapp|sms|desk|office"
    r"|registered|answering\s+at|(?:reach|text|ring)(?:\s+me)?\s+(?:at|on)|messages?\s+to)"
)
PHONE_LABELS_AFTER = r"(?:office|fax|mobile|cell|home|work|desk)"


class CardNumberContextRecognizer(_ContextNumberRecognizer):
    """12-19 digits within a few words after "card", "cc", "visa"...; Luhn not required.

    Where Presidio's CreditCardRecognizer also reads the number (Luhn-valid), the engine
    keeps its higher-scored finding and drops this one (one finding per overlap).
    """

    ENTITY = "CREDIT_CARD"
    PATTERNS = (
        regex.compile(
            rf"(?i)\b{CARD_CONTEXT}\b[^0-9\n]{{0,24}}?"
            r"(?<![\d\-])(?P<value>\d(?:[ \-]?\d){11,18})(?![\d\-])"
        ),
    )

    def accept(self, value: str) -> bool:
        return True


class PhoneContextRecognizer(_ContextNumberRecognizer):
    """7-15 digit numbers after "phone", "mobile", "call"... or before "office", "fax"..."""

    ENTITY = "PHONE_NUMBER"
    _NUMBER = r"(?P<value>\+?\(?\d[\d ().\-]{5,20}\d)"
    PATTERNS = (
        regex.compile(
            rf"(?i)\b{PHONE_CONTEXT_BEFORE}\b[^0-9+(\n]{{0,16}}\n?[^0-9+(\n]{{0,4}}?"
            rf"(?<![\d\-]){_NUMBER}(?![\d\-])"
        ),
        regex.compile(rf"(?<![\d\-.]){_NUMBER}[ \-]{{1,2}}(?i:{PHONE_LABELS_AFTER})\b"),
    )
    NOT_A_PHONE = regex.compile(
        r"^\d{4}-\d\d-\d\d$|^\d{1,3}(?:\.\d{1,3}){3}$|^\d+\.\d+$"  # date, IPv4, decimal
    )

    def accept(self, value: str) -> bool:
        digits = sum(c.isdigit() for c in value)
        return 7 <= digits <= 15 and not self.NOT_A_PHONE.match(value)


def secret_recognizers() -> list[EntityRecognizer]:
    return [
        AwsAccessKeyRecognizer(),
        github_token_recognizer(),
        gitlab_token_recognizer(),
        slack_token_recognizer(),
        private_key_recognizer(),
        SecretAssignmentRecognizer(),
    ]


class _BlankSpacyNlpEngine(SpacyNlpEngine):
    """spaCy's rule-based English tokenizer with lower-cased text as lemmas; no model.

    Presidio's context enhancer compares lemmas with context words; a blank pipeline has
    empty lemmas, which would silently switch context off.
    """

    def __init__(self) -> None:
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": "blank:en"}])

    def load(self) -> None:
        self.nlp = {LANGUAGE: spacy.blank(LANGUAGE)}
        self._word_flags: dict[str, tuple[bool, bool]] = {}

    def _doc_to_nlp_artifact(self, doc, language: str) -> NlpArtifacts:
        # One array read instead of a spaCy Token object per token (the larger cost).
        columns = doc.to_array([IDX, LENGTH, LOWER]).tolist()
        strings = doc.vocab.strings
        artifacts = NlpArtifacts(
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

    def _extract_surrounding_words(self, nlp_artifacts: NlpArtifacts, word: str, start: int):
        if not nlp_artifacts.tokens:
            return [""]
        cache = getattr(nlp_artifacts, "_linear_context_cache", None)
        if cache is None:
            ends = getattr(nlp_artifacts, "token_ends", None) or [
                token.idx + len(token) for token in nlp_artifacts.tokens
            ]
            cache = (ends, set(nlp_artifacts.keywords))
            nlp_artifacts._linear_context_cache = cache
        ends, keywords = cache
        token_index = bisect.bisect_right(ends, start)
        if token_index >= len(ends):
            raise ValueError("a result lies beyond the last token")
        backward = self._add_n_words_backward(
            token_index, self.context_prefix_count, nlp_artifacts.lemmas, keywords
        )
        forward = self._add_n_words_forward(
            token_index, self.context_suffix_count, nlp_artifacts.lemmas, keywords
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

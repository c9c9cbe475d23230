"""Secret recognizers: cloud and forge tokens, private keys, high-entropy assignments.

Why a module of their own: secrets are not personal data Presidio knows about, and each
recognizer here is a trade-off between recall and noise that is tuned on its own (token
prefixes, an entropy threshold, placeholder words). They are `PatternRecognizer`s (or a
`LocalRecognizer` where the span is a capture group), so they run through the same
AnalyzerEngine, context enhancer and windowing as Presidio's own recognizers
(`transforms.pii.analyzer` adds them). Their patterns are case-sensitive on purpose:
token prefixes such as `AKIA` or `ghp_` are case-exact, and matching them caselessly
only adds noise.
"""

from __future__ import annotations

import math
from collections import Counter

import regex
from presidio_analyzer import (
    AnalysisExplanation,
    EntityRecognizer,
    LocalRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerResult,
)

CASE_SENSITIVE = regex.DOTALL | regex.MULTILINE


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
    # Presidio annotates its `name` parameter `str = None`, so mypy takes the branch that
    # sets the attribute for None as unreachable and cannot type it; ours is always given.
    name: str

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


def secret_recognizers() -> list[EntityRecognizer]:
    return [
        AwsAccessKeyRecognizer(),
        github_token_recognizer(),
        gitlab_token_recognizer(),
        slack_token_recognizer(),
        private_key_recognizer(),
        SecretAssignmentRecognizer(),
    ]

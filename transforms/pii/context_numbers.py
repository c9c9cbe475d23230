"""Card and phone numbers that count because of a context word next to them.

A family of its own because the engine treats it apart: windows found only by a context
phrase go to `PhoneContextRecognizer` alone (`transforms.pii.triggers` keeps a superset of
its phrases for the fast path), and where Presidio's CreditCardRecognizer also reads a
card number, the engine keeps its higher-scored finding. Why these exist at all is said
on `_ContextNumberRecognizer`.
"""

from __future__ import annotations

import regex
from presidio_analyzer import (
    AnalysisExplanation,
    EntityRecognizer,
    LocalRecognizer,
    RecognizerResult,
)


class _ContextNumberRecognizer(LocalRecognizer):
    """Numbers that only count next to a context word; the span is the number only.

    These go beyond Presidio on purpose: its validators drop card numbers that fail Luhn
    and phone numbers libphonenumber cannot place in a configured region, yet "my card
    675984103431" or "Phone: 451 5986" is personal data whatever the checksum says.
    """

    ENTITY = ""
    PATTERNS: tuple[regex.Pattern, ...] = ()
    SCORE = 0.5
    # Presidio annotates its `name` parameter `str = None`, so mypy takes the branch that
    # sets the attribute for None as unreachable and cannot type it; ours is always given.
    name: str

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

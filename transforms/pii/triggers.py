"""Candidate windows for the PII stage: one Hyperscan pass, then windows around its matches.

Why Hyperscan over google-re2 (measured by bench/pii_speed.py on 10 MB of the real-text
corpus, 17 trigger patterns): Hyperscan ~120 MB/s/core in one pass reporting every
match with its start; RE2 ~47 MB/s/core needing one finditer pass per pattern, and it
cannot report overlapping matches, which windows need. Both are linear-time; neither
supports look-arounds, so triggers are plain supersets of Presidio's patterns and
Presidio's exact regex decides. The scan is ~5% of this stage's time either way.

Why windows give the same answer as the whole text: every trigger matches the whole
extent of any text its entity's Presidio patterns can match (plus the trigger's reach),
and windows are widened to whitespace, so `\\b` and look-arounds see the same
neighbours. Context words are read later from a margin around each result. Known
difference: context words more than ~48 characters before a result are outside that
margin (they only change scores).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import hyperscan
import numpy as np

from transforms.pii.phone import MIN_PHONE_DIGITS, phone_spans

# Recognition windows hold only what a trigger's entity can span; the context step
# re-reads the text around each result with these margins (transforms.pii.engine).
CONTEXT_MARGIN = 48  # characters kept before a result for Presidio's context words
EDGE_MARGIN = 16  # characters kept after a result
SNAP_LIMIT = 32  # how far a window edge may move to reach whitespace
CHUNK_CHARS = 2048  # windows joined per Presidio call
# Seven filler words: Presidio looks back at most 5 (+1) keywords for context, so no
# context word leaks from one window into the next; letters also break every digit run.
WINDOW_SEPARATOR = "\n\n" + " ".join(["qqqq"] * 7) + "\n\n"
# Phone numbers found only by a context phrase run PhoneContextRecognizer alone: sending
# every "call"/"text" window through Presidio's 8-region PhoneRecognizer cost 70% of the
# time, and PhoneRecognizer's own candidates all come through the digit-run trigger.
PHONE_CONTEXT_FAMILY = "PHONE_NUMBER:context"
# Their recognizers score every surviving match 1.0 (checksum or domain validated), so
# context words cannot change anything: their results skip the context step.
CONTEXT_FREE_ENTITIES = frozenset(
    {"EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "PRIVATE_KEY", PHONE_CONTEXT_FAMILY}
)
MIN_PHONE_DIGITS_MINUS_ONE = MIN_PHONE_DIGITS - 1

Window = tuple[int, int, int]  # (document index, start, end) in character offsets


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
    # The context recognizers of transforms.pii.context_numbers (numbers after a context word).
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


class TriggerScanner:
    """Compiles the triggers of the configured entities; finds candidate windows in texts."""

    def __init__(self, entities: Sequence[str], phone_regions: Sequence[str]) -> None:
        self.phone_regions = tuple(phone_regions)
        self.triggers = [t for t in TRIGGERS if t.entity_type in entities]
        self._database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._database.compile(
            expressions=[t.pattern for t in self.triggers],
            ids=list(range(len(self.triggers))),
            flags=[
                hyperscan.HS_FLAG_SOM_LEFTMOST | (hyperscan.HS_FLAG_CASELESS if t.caseless else 0)
                for t in self.triggers
            ],
        )

    def windows_by_family(self, texts: Sequence[str]) -> dict[str, list[Window]]:
        """Per window family, the merged windows of every text, in text order."""
        windows: dict[str, list[Window]] = {}
        for doc_index, text in enumerate(texts):
            for family, spans in self.candidate_windows(text).items():
                windows.setdefault(family, []).extend(
                    (doc_index, start, end) for start, end in spans
                )
        return windows

    def candidate_windows(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Per window family, merged (start, end) windows in character offsets."""
        data, char_index = _char_offsets(text)
        hits: dict[int, list[tuple[int, int]]] = {}

        def on_match(trigger_id: int, start: int, end: int, flags: int, context) -> None:
            hits.setdefault(trigger_id, []).append((start, end))

        self._database.scan(data, match_event_handler=on_match)
        spans: dict[str, list[tuple[int, int]]] = {}
        length = len(text)
        for trigger_id, trigger_hits in hits.items():
            trigger = self.triggers[trigger_id]
            family_spans = spans.setdefault(trigger.window_family, [])
            reach_left, reach_right = trigger.reach_left, trigger.reach_right
            prescreen = trigger.entity_type == "PHONE_NUMBER" and trigger.phone_prescreen
            for start, end in merge_spans(sorted(trigger_hits)):
                if char_index is not None:
                    start, end = int(char_index[start]), int(char_index[end])
                pieces = (
                    phone_spans(text, start, end, self.phone_regions)
                    if prescreen
                    else ((start, end),)
                )
                for piece_start, piece_end in pieces:
                    family_spans.append(
                        snap_to_whitespace(
                            text, piece_start - reach_left, piece_end + reach_right, length
                        )
                    )
        return {family: merge_spans(sorted(found)) for family, found in spans.items() if found}


def join_windows(texts: Sequence[str], windows: Sequence[Window]) -> tuple[str, list[int]]:
    """The windows joined by WINDOW_SEPARATOR, and where each starts in the joined text."""
    return join_pieces([texts[doc_index][start:end] for doc_index, start, end in windows])


def join_pieces(pieces: Sequence[str]) -> tuple[str, list[int]]:
    """Texts joined by WINDOW_SEPARATOR, and where each starts in the joined text."""
    offsets: list[int] = []
    cursor = 0
    for piece in pieces:
        offsets.append(cursor)
        cursor += len(piece) + len(WINDOW_SEPARATOR)
    return WINDOW_SEPARATOR.join(pieces), offsets


def chunks(pieces: Sequence[str]) -> list[list[str]]:
    """Consecutive runs of texts holding about CHUNK_CHARS characters each."""
    out: list[list[str]] = []
    size = CHUNK_CHARS + 1
    for piece in pieces:
        if size > CHUNK_CHARS:
            out.append([])
            size = 0
        out[-1].append(piece)
        size += len(piece)
    return out


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


def snap_to_whitespace(text: str, start: int, end: int, length: int) -> tuple[int, int]:
    """Widen a window to whitespace so word boundaries inside it match the whole text's."""
    start, end = max(start, 0), min(end, length)
    limit = max(start - SNAP_LIMIT, 0)
    while start > limit and not text[start - 1].isspace():
        start -= 1
    limit = min(end + SNAP_LIMIT, length)
    while end < limit and not text[end].isspace():
        end += 1
    return start, end


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of sorted, possibly overlapping or touching spans."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged

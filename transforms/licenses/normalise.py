"""Normalised text: what every license phrase rule and fingerprint is matched against.

Lower-case ASCII word tokens joined by single spaces, with comment markup, HTML tags and
entities dropped, so one phrase pattern covers a notice in any comment syntax. Kept apart
from the detector so the fingerprint builder and the URL rules can use it without
importing the scanner.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

_TOKEN = re.compile(
    r"<(?:[a-z/]|![a-z])[^<>]{0,300}>|&#?[a-z0-9]{1,8};|([a-z0-9_]+(?:[.+\-'][a-z0-9_]+)*\+?)",
    re.IGNORECASE | re.ASCII,
)
_WORD = re.compile(r"[a-z0-9_]+(?:[.+\-'][a-z0-9_]+)*\+?", re.IGNORECASE | re.ASCII)


class NormalisedWindow:
    """A slice of the document reduced to lower-case word tokens joined by single spaces.

    Token offsets are only computed when a rule matched, and only as far as the
    matched span reaches: most windows match nothing worth a span, a match usually
    sits near the window's start, and tokenising the rest was the expensive part.
    """

    def __init__(self, text: str, start: int, end: int) -> None:
        self._text = text
        self._start = start
        self._end = end
        tokens = [token for token in _TOKEN.findall(text, start, end) if token]
        self.text = " ".join(tokens).lower()
        self._offsets: list[tuple[int, int]] = []
        self._more_offsets: Iterator[tuple[int, int]] | None = None

    def span(self, norm_start: int, norm_end: int) -> tuple[int, int]:
        """Map a span of the normalised text back to character offsets in the document."""
        first = self.text.count(" ", 0, norm_start)
        last = self.text.count(" ", 0, max(norm_start, norm_end - 1))
        offsets = self._offsets_through(last)
        if not offsets:
            return self._start, self._start
        last = min(last, len(offsets) - 1)
        return offsets[min(first, last)][0], offsets[last][1]

    def _offsets_through(self, index: int) -> list[tuple[int, int]]:
        """Character spans of tokens 0..index (all of them when the window has fewer)."""
        if self._more_offsets is None:
            window = self._text[self._start : self._end]
            if "<" in window or "&" in window:
                self._more_offsets = (
                    match.span(1)
                    for match in _TOKEN.finditer(self._text, self._start, self._end)
                    if match.group(1)
                )
            else:  # no markup to skip: the plain word pattern is much cheaper per token
                self._more_offsets = (
                    match.span() for match in _WORD.finditer(self._text, self._start, self._end)
                )
        missing = index + 1 - len(self._offsets)
        if missing > 0:
            self._offsets.extend(itertools.islice(self._more_offsets, missing))
        return self._offsets


def normalise(text: str) -> str:
    """Comment markup, HTML tags, punctuation and whitespace away; lower-case tokens left."""
    return NormalisedWindow(text, 0, len(text)).text

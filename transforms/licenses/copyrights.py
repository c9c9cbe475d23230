"""Copyright statement detection: `Copyright`, `(c)` and `©` lines, with years and holders.

Like the license scanner, a Hyperscan pass finds the few lines worth reading; each line
(plus the next one when the holder wraps) is then parsed with Python regexes. Holders
are kept as found (no case folding, no alias merging): they are evidence, and counsel
wants the words the file used. Emails and URLs after a holder are cut, because they are
contact data (possibly personal) rather than the holder's name.
"""

from __future__ import annotations

import re
from functools import lru_cache

import hyperscan

from schemas.licenses import CopyrightStatement
from transforms.common.time_budget import Deadline, check
from transforms.licenses.copyright_holders import (
    BRACKETED_CONTACT,
    COMMENT_PREFIX,
    FILLER,
    HOLDER_END,
    HOLDER_MAX,
    YEARS,
    clean_holder,
    holder_before,
    parse_years,
    plausible_holder,
)

_TRIGGERS = (rb"copyright", rb"\(c\)", "©".encode(), rb"&copy;", rb"&#169;", rb"\bcopr\.")

_LEAD = re.compile(
    r"(?:portions\s+)?(?:"
    r"spdx-filecopyrighttext:(?:\s*(?:copyright|\(c\)|©))*"
    # The sign may be mangled (U+FFFD) or escaped in source code ("\\u00A9").
    r"|\bcopyright(?:ed)?(?![a-z])\**"  # "**Copyright** |copy| 2016" (reStructuredText)
    # troff writes the sign as "\(co"; a sign lost in conversion leaves "Copyright c 2011".
    r"(?:\s*(?:\((?:c|©)\)|©|&copy;?|&#169;|\ufffd|\\u00a9|\\xa9|\\a9\b|\\\(co\b|\|copy\|"
    r"|\s+c(?=\s+(?:19|20)\d\d\b)))*"
    # "The Foo OHL is copyright of CERN.", "These icons are copyright of Jane Roe"
    r"(?:\s+by\b|(?:(?<=\bis copyright)|(?<=\bare copyright))\s+of\b)?"
    r"|(?:\(c\)|©|&copy;|&#169;)(?:opyright(?:ed)?|\s*copyright(?:ed)?)?(?:\s+by\b)?"
    r"|copr\.)",
    re.IGNORECASE,
)

_SEGMENT_BEFORE = 60  # "Portions Copyright" starts before its trigger word
_SEGMENT_AFTER = 600  # a holder list rarely runs longer


class CopyrightScanner:
    """Precompiled copyright detector; build once per process like `LicenseScanner`."""

    def __init__(self) -> None:
        self._database = hyperscan.Database()
        self._database.compile(
            expressions=list(_TRIGGERS),
            ids=list(range(len(_TRIGGERS))),
            elements=len(_TRIGGERS),
            flags=[hyperscan.HS_FLAG_CASELESS] * len(_TRIGGERS),
        )

    def __reduce__(self):
        """Pickle as "build a new one" (Hyperscan databases cannot be pickled)."""
        return (self.__class__, ())

    def _hits(self, text: str) -> list[int]:
        """Character offsets of trigger words, sorted."""
        encoded = text.encode("utf-8", "surrogatepass")
        hits: list[int] = []
        self._database.scan(
            encoded,
            match_event_handler=lambda _i, _s, end, _f, _c: hits.append(end - 1),
        )
        hits.sort()
        if hits and len(encoded) != len(text):
            hits = _byte_to_char_offsets(encoded, hits)
        return hits

    def scan(self, text: str, deadline: Deadline | None = None) -> list[CopyrightStatement]:
        """Copyright statements in `text`, in document order.

        Each hit is read within its line, clipped to a segment around the hit so that
        minified or binary text with megabyte-long "lines" stays linear. Raises
        TimeBudgetExceeded once `deadline` has passed (checked between hits).
        """
        statements: list[CopyrightStatement] = []
        done_until = -1
        for hit in self._hits(text):
            if hit < done_until:
                continue
            check(deadline)
            line_start = text.rfind("\n", 0, hit) + 1
            line_end = text.find("\n", hit)
            line_end = len(text) if line_end < 0 else line_end
            segment_start = max(line_start, hit - _SEGMENT_BEFORE)
            segment_end = min(line_end, hit + _SEGMENT_AFTER)
            search_from = segment_start
            # Several statements can share a line ("... Sam Leffler Copyright (c) 1991 SGI").
            while search_from < segment_end:
                statement, next_offset = _parse_line(
                    text, segment_start, segment_end, search_from - segment_start
                )
                if statement is not None:
                    statements.append(statement)
                if next_offset is None:
                    break
                search_from = max(segment_start + next_offset, search_from + 1)
            done_until = max(segment_end, search_from)
        return statements


def _byte_to_char_offsets(encoded: bytes, offsets: list[int]) -> list[int]:
    """Sorted byte offsets to character offsets in one pass (not one decode per hit)."""
    converted: list[int] = []
    chars = previous = 0
    for offset in offsets:
        # A hit may end inside a multi-byte character ("©" is two bytes): step back to its
        # first byte, or the dropped partial character shifts every later offset.
        while offset > previous and encoded[offset] & 0xC0 == 0x80:
            offset -= 1
        chars += len(encoded[previous:offset].decode("utf-8", "ignore"))
        previous = offset
        converted.append(chars)
    return converted


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


_AUTHOR_FIELD = re.compile(r"^\s*(?:author|maintainer)s?:", re.IGNORECASE)


def _next_line(text: str, line_end: int) -> tuple[int, str]:
    if line_end >= len(text):
        return line_end, ""
    start = line_end + 1
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    line = text[start:end]
    prefix = COMMENT_PREFIX.match(line)
    offset = prefix.end() if prefix else 0
    return start + offset, line[offset:]


def _blank_markup(line: str) -> str:
    """HTML tags and CRs to filler, keeping offsets (so spans still index the document).

    Filler rather than spaces: a wide run of spaces ends a holder (a column break), and
    "<s>Nokia Corporation</s> and/or" must not read as one.
    """
    return _MARKUP.sub(_blank_tag, line)


def _blank_tag(match: re.Match) -> str:
    """A line-break tag ends a holder like a tab ("University of Illinois<BR>All rights");
    "&nbsp;" separates words ("@copyright&nbsp;2005&nbsp;Jane&nbsp;Roe")."""
    found = match.group(0)
    if found[0] == "&":
        return " " + FILLER * (len(found) - 1)
    if _BREAK_TAG.match(found):
        return "\t" + FILLER * (len(found) - 1)
    return FILLER * len(found)


# Not <user@example.org>, and not a name in brackets ("<2010> <Ciaran Jessup>"): tags are
# never two title-case words without attributes. A <meta content="Copyright ..."> tag is
# left as text for the statement inside it.
_MARKUP = re.compile(
    r"<(?![A-Z][a-z]+(?: [A-Z][\w'\-]*)+>|[^<>]*\bcontent=)(?:[a-zA-Z/]|![a-zA-Z])[^<>@]{0,200}>"
    r"|\r|&nbsp;"
)
_BREAK_TAG = re.compile(r"</?(?:br|p|div|li|td|th|tr|dd|dt|h\d)\b", re.IGNORECASE)
_FIELD_LEAD = re.compile(r"[\s:]*", re.IGNORECASE)


def _parse_line(
    text: str, line_start: int, line_end: int, offset: int = 0
) -> tuple[CopyrightStatement | None, int | None]:
    """The first statement at or after `offset` in the line, and where to look next.

    Both are relative to the line; a next offset of None means the line holds no more.
    """
    line = _blank_markup(text[line_start:line_end])
    lead = _LEAD.search(line, offset)
    if lead is None:
        return None, None
    statement = _statement_at(text, line, line_start, line_end, lead)
    if statement is None:
        return None, lead.end()
    return statement, max(statement.end - line_start, lead.end())


def _statement_at(
    text: str, line: str, line_start: int, line_end: int, lead: re.Match
) -> CopyrightStatement | None:
    rest_start = lead.end()
    named = _HOLDER_IS.match(text, line_start + rest_start)
    if named is not None:
        return _named_holder_statement(text, line_start + lead.start(), named)
    # "Copyright: Copyright (c) 1998 ..." (a field name, then the statement)
    field = _FIELD_LEAD.match(line, rest_start)  # always matches: the pattern may be empty
    repeated = _LEAD.match(line, field.end() if field is not None else rest_start)
    if repeated is not None:
        rest_start = repeated.end()
    assigned = _ASSIGNED_YEARS.match(line, rest_start)
    if assigned is not None:  # Sphinx's conf.py: copyright = u"2010-2020, Jane Roe"
        rest_start = assigned.end()
    rest = line[rest_start:]
    years_match = YEARS.match(rest)
    years_text = years_match.group(0) if years_match else ""
    holder_offset = line_start + rest_start + len(years_text)
    holder_text = rest[len(years_text) :]
    # "Written by Jane Roe, Copyright 1994.": the statement ends with its years and the
    # holder was named before it.
    named_before = ""
    ends_with_years = _NOTHING_LEFT.match(holder_text) or years_text.rstrip().endswith(".")
    if years_text and lead.start() > 0 and ends_with_years:
        by_name = _BY_NAME_BEFORE.search(line, 0, lead.start())
        named_before = by_name.group(1) if by_name else ""
    # "COPYRIGHT (c) 1990-1994 BY    *" then the name. The holder (or the years and the
    # holder) on the next line: "Copyright (c)\n 1995-2001 Corporation for National
    # Research Initiatives", Debian's "Copyright:"; a long year list may wrap twice.
    for _ in range(3):
        if named_before or not _NOTHING_LEFT.match(holder_text):
            break
        next_offset, next_text = _next_line(text, line_end)
        next_text = _AUTHOR_FIELD.sub(lambda m: " " * len(m.group(0)), _blank_markup(next_text))
        more_years = YEARS.match(next_text)  # a year list wrapped onto the next line
        wrapped_years = more_years is not None and bool(more_years.group(0).strip())
        if not (years_text or wrapped_years) or _LEAD.match(next_text):
            break
        holder_offset, holder_text = next_offset, next_text
        line_end = _line_end(text, next_offset)
        if more_years is None or not wrapped_years:  # wrapped years imply a match
            break
        years_text += " " + more_years.group(0)
        holder_offset += more_years.end()
        holder_text = holder_text[more_years.end() :]
    if named_before:
        holder, trailing_years = named_before, ""
        holder_text, holder_offset = line, line_start
    else:
        holder_text = _with_continuation(text, line_end, holder_text)
        holder, trailing_years = clean_holder(holder_text)
    years = parse_years(years_text + " " + trailing_years)
    has_marker = bool(re.search(r"\(c\)|©|&copy;|&#169;", lead.group(0), re.IGNORECASE))
    name_like = holder[:1].isupper() or holder.startswith("the ")  # "the European Community"
    if years and not name_like and lead.start() > 0:
        # "Rusty Russell (C)2000 -- This code is GPL.": the holder came first.
        before = holder_before(line[: lead.start()])
        if before:
            holder, holder_text = before, line
            holder_offset = line_start
    if not holder and not years:
        return None
    if holder and not plausible_holder(holder):
        return None
    bare_marker = not re.search(r"copyright|copr", lead.group(0), re.IGNORECASE)
    if bare_marker and lead.start() > 0 and (line[lead.start() - 1].isalnum() or not years):
        # "(c)" as a list label ("Section 2.1(c)", "(b) ... (c) the licensee") is no marker
        # unless a year follows it.
        if not years and not holder[:1].isupper():
            return None
        if line[lead.start() - 1].isalnum():
            return None
    if bare_marker and not years and _is_list_label(text, line, line_start, lead):
        return None
    if not years and not has_marker and not _NAME_START.match(holder):
        return None
    if not years and not has_marker and _is_field_continuation(text, line, line_start, lead):
        return None
    start = line_start + lead.start()
    if holder_offset == line_start:  # the holder came before the marker
        start = line_start + max(0, line.find(holder.split(" ", 1)[0]))
    # The holder may have lost contact data from its middle; anchor on its first word.
    holder_start = holder_offset + max(0, holder_text.find(holder.split(" ", 1)[0]))
    end = line_start + rest_start + len(years_text)
    if holder:  # the holder may have lost years or contact data from its middle
        last_word = holder.rsplit(" ", 1)[-1]
        found = text.find(last_word, holder_start, holder_start + len(holder) + 400)
        end = found + len(last_word) if found >= 0 else holder_start + len(holder)
        end = max(end, line_start + rest_start + len(years_text.rstrip()))
    return CopyrightStatement(
        holders=[holder] if holder else [],
        year_start=min(years) if years else None,
        year_end=max(years) if years else None,
        start=start,
        end=max(end, start),
        statement=text[start : max(end, start)].strip(),
    )


# SSLeay's licence, in every OpenSSL-derived file: "... is covered by the same copyright
# terms except that the holder is Tim Hudson (tjh@cryptsoft.com)."
_HOLDER_IS = re.compile(
    r" terms\s*(?:[\r\n][\s*#/]*)?except\s+that\s+the\s+holder\s+is\s+"
    r"(?P<holder>[A-Z][\w.\-']*(?: [A-Z][\w.\-']*){0,4})"
)


_LABEL_BEFORE = re.compile(r"[\s#/*;%>]*$")
_EARLIER_LABEL = re.compile(r"(?:^|\n)[\s#/*;%>]*\(b\)", re.IGNORECASE)
_LABEL_LOOKBACK = 5000


def _is_list_label(text: str, line: str, line_start: int, lead: re.Match) -> bool:
    """ "(c) Representations." opening a line after a "(b) ..." line is the third item of a
    list in legal text, not a copyright sign."""
    if not _LABEL_BEFORE.match(line[: lead.start()]):
        return False
    window_start = max(0, line_start - _LABEL_LOOKBACK)
    return _EARLIER_LABEL.search(text, window_start, line_start) is not None


_FIELD_LINE = re.compile(r"[\s%#/*;]*copyright:", re.IGNORECASE)


def _is_field_continuation(text: str, line: str, line_start: int, lead: re.Match) -> bool:
    """A PostScript "%%Copyright:" field repeats its name on every line of the licence it
    carries ("%%Copyright: DISCLAIMED."); only its first line can be a statement."""
    if line[lead.end() : lead.end() + 1] != ":" or line_start == 0:
        return False
    previous_start = text.rfind("\n", 0, line_start - 1) + 1
    return _FIELD_LINE.match(text, previous_start, line_start) is not None


def _named_holder_statement(text: str, start: int, named: re.Match) -> CopyrightStatement:
    end = named.end("holder")
    return CopyrightStatement(
        holders=[named.group("holder")],
        year_start=None,
        year_end=None,
        start=start,
        end=end,
        statement=text[start:end].strip(),
    )


_ASSIGNED_YEARS = re.compile(r"[\"']?\s*[=:]?\s*[ub]?[\"'](?=\s*(?:19|20)\d\d)", re.IGNORECASE)
_BY_NAME_BEFORE = re.compile(r"\bby\s+((?:[A-Z][\w.\-']*\s+){0,4}[A-Z][\w.\-']*)[\s,]*$")
_NOTHING_LEFT = re.compile(r"[\s\x01]*(?:by\b)?[\s\x01*#/|]*$", re.IGNORECASE)
# Without a year or a (c) sign, "copyright" must be followed by something name-like.
_NAME_START = re.compile(r"[A-Z]|the |\S+(?: \S+){0,3} (?:contributors|authors|developers)$")


def _with_continuation(text: str, line_end: int, holder_text: str) -> str:
    """Holder lists wrap: "Henry Cejtin, Matthew Fluet, Suresh\n * Jagannathan, and ..."."""
    for _ in range(2):
        if len(holder_text) > HOLDER_MAX:
            break
        next_start, next_line = _next_line(text, line_end)
        if not next_line.strip() or _LEAD.match(next_line):
            break
        # Markup between names ("Newkirk</s>, <s>Two") must not read as a column break.
        stripped = _FILLER_RUN.sub(" ", BRACKETED_CONTACT.sub("", holder_text)).strip()
        if not stripped:
            break
        closing = _MARKUP.sub("", next_line) if "<" in next_line else next_line
        surname = " " not in stripped and _SURNAME_LINE.match(closing)  # "Christian\n Rau"
        if not (_OPEN_END.search(stripped) or _CLOSING_LINE.match(closing) or surname):
            break
        if stripped.endswith(",") and _PROSE_START.match(closing):
            break  # "by the WTForms Team,\n documentation generated by Sphinx"
        if HOLDER_END.search(stripped):
            break
        holder_text = holder_text.rstrip() + " " + _blank_markup(next_line).strip()
        line_end = text.find("\n", next_start)
        if line_end < 0:
            break
    return holder_text


_FILLER_RUN = re.compile(r"\s*\x01+\s*(?=[,;.])|\s*\x01+\s*")
# A holder cut mid-phrase by a line break: "..., Atheros" / "... as represented by the".
_OPEN_END = re.compile(r"(?:,|&|\b(?:and|and/or|of|the|by|for|at|de|van|von|du))$", re.I)
_PROSE_START = re.compile(
    r"\s*(?!(?:and|or|the|of|its|their|others?|contributors|authors|van|von|de|der|du|la|le)\b)"
    r"[a-z][\w\-]*\s+[a-z]"  # two lower-case words: a sentence, not a handle ("snerks <...>")
)
_SURNAME_LINE = re.compile(r"\s*[A-Z][\w\-']+\.?\s*$")
# A next line that can only finish the previous one: "Communications, Inc.  All rights
# reserved.", "(spitzak@example.org) and others", "University</s>".
_CLOSING_LINE = re.compile(
    r"\s*(?:\(\s*[\w.+\-]+@[\w.\-]+\s*\)\s*)?(?:and (?:others|other contributors|contributors"
    r"|its (?:affiliates|subsidiaries|licensors))\b"
    r"|(?:[A-Z][\w\-]+ ){0,2}[A-Z][\w\-]+,? and [A-Z]"
    # "... Center Ltd\n    and Clark Cooper", "by Karsten Merker\n * and Maciej W. Rozycki"
    r"|(?:and|&)\s+[A-Z][\w\-']+(?:\s+[A-Z][\w.\-']*){0,3}\s*(?:[<(][^<>()]*@[^<>()]*[>)])?\s*$"
    r"|(?:[A-Z][\w&\-]*,? ){0,4}(?:Inc|Ltd|LLC|Corp|Corporation|Co|GmbH|AG|AB|SA|S\.A|B\.V|L\.P"
    r"|Plc|Incorporated|University|Institute|Foundation|Laboratories|Labs|Organi[sz]ation"
    r"|Consortium|Society|Association)\b\.?(?:$|\s{2,}|\s*[.,(<]|\s+All\b|\s+and/or\b))"
)


@lru_cache(maxsize=1)
def default_copyright_scanner() -> CopyrightScanner:
    return CopyrightScanner()


def scan_copyrights(text: str) -> list[CopyrightStatement]:
    """Copyright statements in `text`, in document order."""
    return default_copyright_scanner().scan(text)

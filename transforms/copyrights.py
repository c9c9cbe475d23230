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

_TRIGGERS = (rb"copyright", rb"\(c\)", "©".encode(), rb"&copy;", rb"&#169;", rb"\bcopr\.")

_COMMENT_PREFIX = re.compile(r"^[\s#/*;!%|>{}\"'\-=]*(?:dnl\s+|rem\s+|@c\s+|\.\\\"\s*)?", re.I)
_LEAD = re.compile(
    r"(?:portions\s+)?(?:"
    r"spdx-filecopyrighttext:(?:\s*(?:copyright|\(c\)|©))*"
    r"|\bcopyright(?:ed)?(?:\s*(?:\((?:c|©)\)|©|&copy;?|&#169;|\ufffd|\\u00a9|\\xa9|\\a9\b))*(?:\s+by\b)?"
    r"|(?:\(c\)|©|&copy;|&#169;)(?:opyright(?:ed)?|\s*copyright(?:ed)?)?(?:\s+by\b)?"
    r"|copr\.)",
    re.IGNORECASE,
)
_YEAR = r"(?:19|20)\d\d"
_YEARS = re.compile(
    rf"^[\s,:.]*(?:<?{_YEAR}>?(?:\s*(?:,\s*and|-|–|to|,|/|and)\s*(?:{_YEAR}|\d\d?\b|present\b|now\b))*"
    r"[\s,.:;]*)+",
    re.IGNORECASE,
)
_TRAILING_YEARS = re.compile(rf"[\s,]+\(?{_YEAR}(?:\s*[-–,]\s*(?:{_YEAR}|\d\d))*\)?\.?$")
_HOLDER_END = re.compile(
    r"[\s,;]*\ball\s+rights\b"
    r"|\s*(?:\bcopyright\b|\(c\)|©|&copy;|&lt;)"
    r"|,?\s+(?:but|by)\s+[a-z]|,*\s+et\s+al\b|,\s+including\b|\s+--\s|[.,]?\s+All$"
    r"|\s*\\n"
    r"|,\s+\d{1,5}\s+[A-Z][a-z]+\s+(?:Street|St|Avenue|Ave|Road|Rd|Drive|Way|Place)\b"
    r"|,\s+(?:and\s+)?(?:is|are|was|has|write|see|visit|contact)\b"
    r"|\s*[<(\[]?\s*(?:mailto:)?[\w.+\-]+@[\w\-]+\.[\w.\-]+"
    r"|\s*\(?\s*<?https?://"
    r"|\s*\*/|\s*-->|\s{3,}|\t"
    r"|[\s,;]*\b(?:written|authored|developed|maintained|modified|contributed|created) by\b"
    r"|(?<!\b[A-Z])(?<!\bSt)(?<!\bDr)(?<!\bMr)\.\s+(?=(?!All\s)[A-Z][a-z]+\s+[a-z])"
    r"|\.\s+(?=(?:This|The|Licensed|Permission|See|You|Redistribution|Use|Distributed|"
    r"Released|Written|Portions|Some|Free|Based|Version|Modified|Contributed)\b)"
    r"|[\s.,;]*\b(?:licensed under|released under|distributed under|see (?:the )?license)\b",
    re.IGNORECASE,
)
# Words that show "copyright" is used as a noun in a sentence, not as a statement.
_NOT_A_HOLDER = re.compile(
    r"^(?:notices?|holders?|owners?|laws?|statements?|protection|information|license|licen[cs]e"
    r"|and|or|of|to|in|for|is|are|by|the above|this|that|as|on|under|it|its|their|your|may|must"
    r"|shall|will|which|with|act|infringement|status|assignment|ownership|claims?|symbol|sign"
    r"|text|line|year|date|field|header|policy|agreement|interest|date|y{4}|<)\b",
    re.IGNORECASE,
)
_TEMPLATE = re.compile(r"<[^>]*>|\[[^\]]*\]|\{[^}]*\}|name of (?:author|copyright)", re.IGNORECASE)


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

    def scan(self, text: str) -> list[CopyrightStatement]:
        """Copyright statements in `text`, in document order.

        Each hit is read within its line, clipped to a segment around the hit so that
        minified or binary text with megabyte-long "lines" stays linear.
        """
        statements: list[CopyrightStatement] = []
        done_until = -1
        for hit in self._hits(text):
            if hit < done_until:
                continue
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
    prefix = _COMMENT_PREFIX.match(line)
    offset = prefix.end() if prefix else 0
    return start + offset, line[offset:]


def _blank_markup(line: str) -> str:
    """HTML tags and CRs to filler, keeping offsets (so spans still index the document).

    Filler rather than spaces: a wide run of spaces ends a holder (a column break), and
    "<s>Nokia Corporation</s> and/or" must not read as one.
    """
    return _MARKUP.sub(lambda match: _FILLER * len(match.group(0)), line)


_FILLER = "\x01"


_MARKUP = re.compile(r"<[a-zA-Z/!][^<>@]{0,200}>|\r")  # not <user@example.org>
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
    # "Copyright: Copyright (c) 1998 ..." (a field name, then the statement)
    repeated = _LEAD.match(line, _FIELD_LEAD.match(line, rest_start).end())
    if repeated is not None:
        rest_start = repeated.end()
    rest = line[rest_start:]
    years_match = _YEARS.match(rest)
    years_text = years_match.group(0) if years_match else ""
    holder_offset = line_start + rest_start + len(years_text)
    holder_text = rest[len(years_text) :]
    if not holder_text.strip():
        # The holder (or the years and the holder) on the next line: "Copyright (c)\n
        # 1995-2001 Corporation for National Research Initiatives", Debian's "Copyright:".
        next_offset, next_text = _next_line(text, line_end)
        next_text = _AUTHOR_FIELD.sub(lambda m: " " * len(m.group(0)), _blank_markup(next_text))
        more_years = _YEARS.match(next_text)  # a year list wrapped onto the next line
        wrapped_years = more_years is not None and bool(more_years.group(0).strip())
        if (years_text or wrapped_years) and not _LEAD.match(next_text):
            holder_offset, holder_text = next_offset, next_text
            line_end = _line_end(text, next_offset)
            if wrapped_years:
                years_text += " " + more_years.group(0)
                holder_offset += more_years.end()
                holder_text = holder_text[more_years.end() :]
    holder_text = _with_continuation(text, line_end, holder_text)
    holder, trailing_years = _clean_holder(holder_text)
    years = _years(years_text + " " + trailing_years)
    has_marker = bool(re.search(r"\(c\)|©|&copy;|&#169;", lead.group(0), re.IGNORECASE))
    if years and (not holder or not holder[:1].isupper()) and lead.start() > 0:
        # "Rusty Russell (C)2000 -- This code is GPL.": the holder came first.
        before = _holder_before(line[: lead.start()])
        if before:
            holder, holder_text = before, line
            holder_offset = line_start
    if not holder and not years:
        return None
    if holder and not _plausible_holder(holder):
        return None
    bare_marker = not re.search(r"copyright|copr", lead.group(0), re.IGNORECASE)
    if bare_marker and lead.start() > 0 and (line[lead.start() - 1].isalnum() or not years):
        # "(c)" as a list label ("Section 2.1(c)", "(b) ... (c) the licensee") is no marker
        # unless a year follows it.
        if not years and not holder[:1].isupper():
            return None
        if line[lead.start() - 1].isalnum():
            return None
    if not years and not has_marker and not (holder[:1].isupper() or holder.startswith("the ")):
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


_NAME_BEFORE = re.compile(
    r"(?:^|\bby\s+|[:\-]\s+)((?:[A-Z][\w.\-&']*,?\s+){0,5}[A-Z][\w.\-&']*\.?)\s*$"
)


def _holder_before(prefix: str) -> str:
    """A name right before the marker on its line ("MediaTek Inc. (c) 2008")."""
    prefix = _BRACKETED_CONTACT.sub("", prefix.replace(_FILLER, " "))
    prefix = _COMMENT_PREFIX.sub("", prefix).rstrip()
    match = _NAME_BEFORE.search(prefix)
    if match is None or len(match.group(1)) > 80:
        return ""
    name = _strip_sentence_period(match.group(1).rstrip(", "))
    return name if _plausible_holder(name) else ""


_CODE_OR_FIELD = re.compile(r"[{}=;\\|]|^[\w-]+: |^(?:L?GPL|BSD|MIT|Apache)\b")


def _plausible_holder(holder: str) -> bool:
    """A name, not a sentence about copyright, a template, code or a license field."""
    if _NOT_A_HOLDER.match(holder) or _TEMPLATE.search(holder) or _CODE_OR_FIELD.search(holder):
        return False
    if len(holder) > 200 or sum(char.isalpha() for char in holder) < 2:
        return False
    return holder.lower() not in {"the", "a", "an", "by", "and", "others"}


_BRACKETED_CONTACT = re.compile(
    r"\s*[<(\[]\s*(?:mailto:)?(?:[\w.+\-]+@[\w\-]+\.[\w.\-]+|https?://[^\s>)\]]+)\s*[>)\]]"
)


def _with_continuation(text: str, line_end: int, holder_text: str) -> str:
    """Holder lists wrap: "Henry Cejtin, Matthew Fluet, Suresh\n * Jagannathan, and ..."."""
    for _ in range(2):
        stripped = _BRACKETED_CONTACT.sub("", holder_text).replace(_FILLER, " ").strip()
        if not stripped or _HOLDER_END.search(stripped):
            break
        next_start, next_line = _next_line(text, line_end)
        if not next_line.strip() or _LEAD.match(next_line):
            break
        next_line = _blank_markup(next_line)
        if not (_OPEN_END.search(stripped) or _CLOSING_LINE.match(next_line.replace(_FILLER, ""))):
            break
        holder_text = holder_text.rstrip() + " " + next_line.strip()
        line_end = text.find("\n", next_start)
        if line_end < 0:
            break
    return holder_text


# A holder cut mid-phrase by a line break: "..., Atheros" / "... as represented by the".
_OPEN_END = re.compile(r"(?:,|&|\b(?:and|and/or|of|the|by|for|at|de|van|von|du))$", re.I)
# A next line that can only finish the previous one: "Communications, Inc.  All rights
# reserved.", "(spitzak@example.org) and others", "University</s>".
_CLOSING_LINE = re.compile(
    r"\s*(?:\(\s*[\w.+\-]+@[\w.\-]+\s*\)\s*)?(?:and (?:others|other contributors|contributors"
    r"|its (?:affiliates|subsidiaries|licensors))\b"
    r"|(?:[A-Z][\w\-]+ ){0,2}[A-Z][\w\-]+,? and [A-Z]"
    r"|(?:[A-Z][\w&\-]*,? ){0,4}(?:Inc|Ltd|LLC|Corp|Corporation|Co|GmbH|AG|AB|SA|S\.A|B\.V|L\.P"
    r"|University|Institute|Foundation|Laboratories|Labs)\b\.?(?:$|\s{2,}|\s*[.,(<]|\s+All\b))"
)


def _clean_holder(raw: str) -> tuple[str, str]:
    """The holder as written, minus contact data, reservations and trailing years."""
    # "Jouni Malinen <j@example.org> and contributors": contact data goes, the name stays.
    raw = re.sub(r"\s*\x01+\s*(?=[.,;:)]|$)", "", raw)
    raw = _MARKDOWN_LINK.sub(r"\1", re.sub(r"\s*\x01+\s*", " ", raw))
    holder = _BRACKETED_CONTACT.sub("", raw).strip()
    holder = re.sub(
        r"^(?:(?:by|\(c\)|©)\s+|[-–:]\s*|%[ds]\s+|\$\{?\w+\}?\s+)", "", holder, flags=re.I
    )
    cut = _HOLDER_END.search(holder)
    if cut is not None and cut.start() > 0:
        keep_period = holder[cut.start()] == "." and _ABBREVIATION_END.search(holder, 0, cut.start())
        holder = holder[: cut.start() + (1 if keep_period else 0)]
    elif cut is not None and re.match(r"\s*\(?\s*<?https?://", holder):
        holder = re.split(r"[\s)>]", holder.lstrip("(< "), maxsplit=1)[0]  # a bare URL holder
    trailing = _TRAILING_YEARS.search(holder)
    trailing_years = ""
    if trailing is not None and trailing.start() > 0:
        trailing_years = trailing.group(0)
        holder = holder[: trailing.start()]
    # "Nigel McNie, 2007 - 2008 Benny Baumann": years between holders are not names.
    interior = _INTERIOR_YEARS.search(holder)
    if interior is not None and interior.start() > 0:
        trailing_years += " " + interior.group(0)
        rest = holder[interior.end() :]
        rest = rest.strip()
        holder = holder[: interior.start()] + (", " + rest if rest[:1].isupper() else "")
    for _ in range(2):  # 'Pfefferl".' and 'Robertson).' need two rounds
        holder = _TRAILING_NOISE.sub("", holder.strip())
        holder = holder.strip().rstrip(",;:-\"'").strip()
        if holder.endswith(")") and holder.count("(") < holder.count(")"):
            holder = holder[:-1].rstrip()
        holder = _strip_sentence_period(holder)
    return holder, trailing_years


# "[Jon Schlinkert](https://github.com/jonschlinkert)": the link text is the name.
_MARKDOWN_LINK = re.compile(r"\[([^\]\[]{1,100})\]\([^)\s]{1,300}\)")
_INTERIOR_YEARS = re.compile(
    rf",?\s+{_YEAR}(?:\s*(?:-|–|,|and)\s*(?:{_YEAR}|\d\d\b))*(?:\s+and\b)?(?=\s|$)"
)
# A nickname or project tag after the name ("Masayuki Hatta (mhatta)"), a dangling "(see",
# a trailing "Copyleft" or "and".
_TRAILING_NOISE = re.compile(
    r"(?:\s+\([\w.\-]+\)|\s+\((?:[a-z]|[^()]*[@:])[^()]*\)|\s+\([\w]*|\s+(?i:copyleft)"
    r"|,?\s+and|,?\s+or)$"
)


# Company forms and initials whose final period belongs to the name ("Inc.", "S.L.", "ASA.").
_ABBREVIATION_END = re.compile(
    r"(?:\b(?i:inc|corp|co|ltd|llc|llp|plc|pty|gmbh|bhd|pvt|jr|sr|dr|st)|\.[a-zA-Z]|[A-Z]{2})$"
)


def _strip_sentence_period(holder: str) -> str:
    """"Microsoft Corporation." ends a sentence; "Inc." and "S.L." keep their period."""
    holder = holder.rstrip()
    while holder.endswith(".."):
        holder = holder[:-1]
    if not holder.endswith(".") or len(holder) < 3:
        return holder
    body = holder[:-1]
    if " " in body and _ABBREVIATION_END.search(body):
        return holder
    if " " not in body and re.search(r"\b(?:inc|corp|co|ltd|llc)$", body, re.IGNORECASE):
        return holder
    return body.rstrip()


def _years(text: str) -> list[int]:
    years: list[int] = []
    for match in re.finditer(rf"({_YEAR})(?:\s*[-–]\s*(\d\d)\b(?!\d))?", text):
        years.append(int(match.group(1)))
        if match.group(2):
            years.append(int(match.group(1)[:2] + match.group(2)))
    return years


@lru_cache(maxsize=1)
def default_copyright_scanner() -> CopyrightScanner:
    return CopyrightScanner()


def scan_copyrights(text: str) -> list[CopyrightStatement]:
    """Copyright statements in `text`, in document order."""
    return default_copyright_scanner().scan(text)

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
    r"copyright(?:ed)?(?:\s*(?:\(c\)|©|&copy;|&#169;))*(?:\s+by\b)?"
    r"|(?:\(c\)|©|&copy;|&#169;)(?:\s*copyright(?:ed)?)?(?:\s+by\b)?"
    r"|copr\.)",
    re.IGNORECASE,
)
_YEAR = r"(?:19|20)\d\d"
_YEARS = re.compile(
    rf"^[\s,:]*(?:{_YEAR}(?:\s*(?:-|–|to|,|/)\s*(?:{_YEAR}|\d\d\b|present\b|now\b))*[\s,.:;]*)+",
    re.IGNORECASE,
)
_TRAILING_YEARS = re.compile(rf"[\s,]+{_YEAR}(?:\s*[-–,]\s*(?:{_YEAR}|\d\d))*\.?$")
_HOLDER_END = re.compile(
    r"[\s,;]*\ball\s+rights\s+reserved"
    r"|\s*[<(\[]?\s*(?:mailto:)?[\w.+\-]+@[\w\-]+\.[\w.\-]+"
    r"|\s*\(?\s*<?https?://"
    r"|\s*\*/|\s*-->|\s{3,}|\t"
    r"|[\s,;]*\b(?:written|authored|developed|maintained|modified|contributed|created) by\b"
    r"|\.\s+(?=(?!All\s)[A-Z][a-z]+\s+[a-z])"
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

    def _hit_lines(self, text: str) -> list[int]:
        encoded = text.encode("utf-8", "surrogatepass")
        hits: list[int] = []
        self._database.scan(
            encoded,
            match_event_handler=lambda _i, _s, end, _f, _c: hits.append(end - 1),
        )
        if not hits:
            return []
        if len(encoded) != len(text):
            hits = sorted({len(encoded[:hit].decode("utf-8", "ignore")) for hit in hits})
        line_starts: list[int] = []
        for hit in sorted(hits):
            line_start = text.rfind("\n", 0, hit) + 1
            if not line_starts or line_starts[-1] != line_start:
                line_starts.append(line_start)
        return line_starts

    def scan(self, text: str) -> list[CopyrightStatement]:
        statements: list[CopyrightStatement] = []
        for line_start in self._hit_lines(text):
            line_end = text.find("\n", line_start)
            line_end = len(text) if line_end < 0 else line_end
            statement = _parse_line(text, line_start, line_end)
            if statement is not None:
                statements.append(statement)
        return statements


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
    """HTML tags and CRs to spaces, keeping offsets (so spans still index the document)."""
    return _MARKUP.sub(lambda match: " " * len(match.group(0)), line)


_MARKUP = re.compile(r"<[a-zA-Z/!][^<>]{0,200}>|\r")
_FIELD_LEAD = re.compile(r"[\s:]*", re.IGNORECASE)


def _parse_line(text: str, line_start: int, line_end: int) -> CopyrightStatement | None:
    line = _blank_markup(text[line_start:line_end])
    lead = _LEAD.search(line)
    if lead is None:
        return None
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
    if not holder_text.strip() and years_text:
        holder_offset, holder_text = _next_line(text, line_end)
        if _LEAD.match(holder_text):
            holder_text = ""
    holder_text = _with_continuation(text, line_end, holder_text)
    holder, trailing_years = _clean_holder(holder_text)
    years = _years(years_text + " " + trailing_years)
    has_marker = bool(re.search(r"\(c\)|©|&copy;|&#169;", lead.group(0), re.IGNORECASE))
    if not holder and not years:
        return None
    if holder and (_NOT_A_HOLDER.match(holder) or _TEMPLATE.search(holder)):
        return None
    if not years and not has_marker and not (holder[:1].isupper() or holder.startswith("the ")):
        return None
    start = line_start + lead.start()
    holder_start = holder_offset + (holder_text.find(holder) if holder else 0)
    end = holder_start + len(holder) if holder else line_start + rest_start + len(years_text)
    return CopyrightStatement(
        holders=[holder] if holder else [],
        year_start=min(years) if years else None,
        year_end=max(years) if years else None,
        start=start,
        end=max(end, start),
        statement=text[start : max(end, start)].strip(),
    )


def _with_continuation(text: str, line_end: int, holder_text: str) -> str:
    """Holder lists wrap: "Henry Cejtin, Matthew Fluet, Suresh\n * Jagannathan, and ..."."""
    for _ in range(2):
        stripped = holder_text.rstrip()
        if not stripped or not re.search(r"(?:,|\band|&)$", stripped):
            break
        if _HOLDER_END.search(stripped):
            break
        next_start, next_line = _next_line(text, line_end)
        if not next_line.strip() or _LEAD.match(next_line):
            break
        holder_text = stripped + " " + _blank_markup(next_line).strip()
        line_end = text.find("\n", next_start)
        if line_end < 0:
            break
    return holder_text


def _clean_holder(raw: str) -> tuple[str, str]:
    """The holder as written, minus contact data, reservations and trailing years."""
    holder = raw.strip()
    holder = re.sub(r"^(?:(?:by|\(c\)|©)\s+|[-–:]\s*)", "", holder, flags=re.IGNORECASE)
    cut = _HOLDER_END.search(holder)
    if cut is not None and cut.start() > 0:
        holder = holder[: cut.start()]
    elif cut is not None and re.match(r"\s*\(?\s*<?https?://", holder):
        holder = re.split(r"[\s)>]", holder.lstrip("(< "), maxsplit=1)[0]  # a bare URL holder
    trailing = _TRAILING_YEARS.search(holder)
    trailing_years = ""
    if trailing is not None and trailing.start() > 0:
        trailing_years = trailing.group(0)
        holder = holder[: trailing.start()]
    # A trailing period stays: it is usually part of "Inc." or "Ltd." (kept as found).
    holder = holder.strip().rstrip(",;:-\"'").strip()
    if holder.endswith(")") and holder.count("(") < holder.count(")"):
        holder = holder[:-1].rstrip()
    return holder, trailing_years


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

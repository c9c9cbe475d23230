"""Copyright holders: where a holder ends, what decorates it, and whether it is a name at all.

`transforms.licenses.copyrights` finds statements and the raw text after the marker and years; the
functions here turn that raw text into the holder as written: contact data, reservations,
trailing years, nicknames and sentence periods go, company-form periods ("Inc.") stay.
"""

from __future__ import annotations

import re

COMMENT_PREFIX = re.compile(r"^[\s#/*;!%|>{}\"'\-=]*(?:dnl\s+|rem\s+|@c\s+|\.\\\"\s*)?", re.I)
_YEAR = r"(?:19|20)\d\d"
YEARS = re.compile(
    # "<2013>", "?2004" (a mangled ©) and "(1997" are years too; a range may end in
    # "and later" or a build variable ("2014 - ${current.year}").
    rf"^[\s,:.\x01]*(?:[<?(]?{_YEAR}>?"
    rf"(?:\s*(?:,\s*and|-|–|~|to|,|/|and)\s*"
    rf"(?:{_YEAR}|\d\d?\b|present\b|now\b|later\b|\$\{{[\w.]+\}}))*>?"
    r"[\s,.:;\x01]*)+",
    re.IGNORECASE,
)
_TRAILING_YEARS = re.compile(rf"[\s,]+\(?{_YEAR}(?:\s*[-–,]\s*(?:{_YEAR}|\d\d))*\)?[.:]?$")
HOLDER_END = re.compile(
    r"[\s,;]*\ball\s+rights\b"
    r"|\s*(?:\bcopyright\b|\(c\)|©|&copy;|&lt;)"
    r"|,\s+by\s|\s+but\s+(?:is|are|was|also|may|not)\b|,*\s+et\s+al\b|,\s+including\b"
    r"|\s+--\s|[.,]?\s+All$|,\s*(?:OU|CN|O|C|L|ST)="  # "..., OU=" in certificate names
    r"|\s*\\[nrt]"  # an escaped line break or tab in a string literal
    # Reservations in other languages ("Tous droits réservés", "Alle Rechte vorbehalten").
    r"|[\s,;.\-–]*\b(?:tous\s+droits\s+r[ée]serv[ée]s|alle\s+rechte\s+vorbehalten"
    r"|todos\s+los\s+derechos\s+reservados|tutti\s+i\s+diritti\s+riservati)"
    r'|\s*\((?:the\s+)?["“][^"”()]{1,40}["”]\)'  # a defined term: '(the "Original Author")'
    r"|,?\s+\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Drive|Way|Place)\b"
    r"|\s+\d{1,5},\s+(?:[A-Z]{1,2}-)?\d{4,5}\s"  # "Rebenring 33, 38106 Braunschweig"
    r"|\"\s*[,;]|\s+and\s+(?:is|are)\b|,\s+(?:with\s+portions|taken\s+from)\b"
    r"|,\s+(?:and\s+)?(?:is|are|was|has|write|see|visit|contact)\b"
    r"|\s*[<(\[]?\s*(?:mailto:)?[\w.+\-]+@(?:[\w\-]+\.[\w.\-]+|\{)"
    r"|\s*\(?\s*<?https?://"
    r"|\s*\*/|\s*-->|\s{3,}|\t"
    r'|\s*"\s*/?>'  # the end of an HTML attribute: '<meta content="Copyright 2005 Jane Roe"/>'
    r"|\s*\[,?\s*(?:\.\.\.|…)\s*\]"  # "Julian Smart, Robert Roebling [, ...]"
    r"|[\s,;]*\b(?:written|authored|developed|maintained|modified|contributed|created"
    r"|generated) by\b"
    # A sentence after the name ("Inc. HylaFAX is a trademark", "Inc. or its affiliates"),
    # but "Inc. and others" / "and other contributors" still name holders.
    r"|(?<!\b[A-Z])(?<!\bSt)(?<!\bDr)(?<!\bMr)\.\s+"
    r"(?=(?!All\s|and\s+others?\b)[A-Z][a-z]+(?:\s+[a-z]|\s+(?:19|20)\d\d\b|$))"
    r"|\.\s+(?=(?:This|The|Licensed|Permission|See|You|Redistribution|Use|Distributed|"
    r"Released|Written|Portions|Some|Free|Based|Version|Modified|Contributed)\b)"
    r"|[\s.,;]*\b(?:(?:and\s+)?licen[cs]ed under|released under|distributed under"
    r"|see (?:the )?license)\b"
    r"|[\s.]*\([^()]*\blicen[cs]e[ds]?\b[^()]*\)",  # "(MIT License)"
    re.IGNORECASE,
)
# Words that show "copyright" is used as a noun in a sentence, not as a statement.
_NOT_A_HOLDER = re.compile(
    r"^(?:notices?|holders?|owners?|laws?|statements?|protection|information|license|licen[cs]e"
    r"|and|or|of|to|in|for|is|are|by|the above|this|that|as|on|under|it|its|their|your|may|must"
    r"|shall|will|which|with|act|infringement|status|assignment|ownership|claims?|symbol|sign"
    r"|text|line|year|date|field|header|policy|agreement|interest|date|y{4}|<|all\s+rights"
    # "Copyright Agent" is the DMCA contact; "COPYRIGHT, PATENT, TRADEMARK OR OTHER RIGHT" and
    # "copyright by Section 105", "the Copyright Directive" are law, not holders.
    r"|agents?|patents?|trademarks?|trade\s+secrets?|sections?|directives?|regulations?)\b",
    re.IGNORECASE,
)
_TEMPLATE = re.compile(r"<[^>]*>|\[[^\]]*\]|\{[^}]*\}|name of (?:author|copyright)", re.IGNORECASE)

FILLER = "\x01"

_NAME_BEFORE = re.compile(
    r"(?:^|\bby\s+|[:\-]\s+)((?:[A-Z][\w.\-&']*,?\s+){0,5}[A-Z][\w.\-&']*\.?)\s*$"
)


def holder_before(prefix: str) -> str:
    """A name right before the marker on its line ("MediaTek Inc. (c) 2008")."""
    prefix = BRACKETED_CONTACT.sub("", prefix.replace(FILLER, " "))
    prefix = COMMENT_PREFIX.sub("", prefix).rstrip()
    match = _NAME_BEFORE.search(prefix)
    if match is None or len(match.group(1)) > 80:
        return ""
    name = _strip_sentence_period(match.group(1).rstrip(", "))
    return name if plausible_holder(name) else ""


_CODE_OR_FIELD = re.compile(r"[{}=;\\|]|^[\w-]+: |^(?:(?:GNU\s+)?[AL]?GPL|BSD|MIT|Apache)\b")


HOLDER_MAX = 200


def plausible_holder(holder: str) -> bool:
    """A name, not a sentence about copyright, a template, code or a license field."""
    if _NOT_A_HOLDER.match(holder) or _TEMPLATE.search(holder) or _CODE_OR_FIELD.search(holder):
        return False
    if len(holder) > HOLDER_MAX or sum(char.isalpha() for char in holder) < 2:
        return False
    if _is_prose(holder):
        return False
    return holder.lower() not in {"the", "a", "an", "by", "and", "others"}


# Lower-case words that do occur inside names ("University of California", "Foo and its
# affiliates", "van der Berg"); any other lower-case word is a sign of a sentence.
_NAME_CONNECTORS = frozenset(
    (  # noqa: SIM905 - a word list reads better as words
        "of and the for at in de da di del der den des du la le van von y et its his her their"
        " affiliates subsidiaries contributors authors others other developers team project"
        " group licensors or and/or on behalf by members member"
    ).split()
)
_PROSE_WORDS = 4
_COMPANY_END = re.compile(
    r"\b(?:inc|corp|corporation|ltd|llc|gmbh|ag|sa|co|company|limited)\.?$", re.IGNORECASE
)


def _is_prose(holder: str) -> bool:
    """ "Redistribution and use in source and binary forms, with" (a "%%Copyright:" field
    line of a PostScript file), "the software, and (2) offer you this license": text
    after the word copyright that has several ordinary lower-case words is a sentence."""
    if _COMPANY_END.search(holder):
        return False  # "distributed processing technology corporation"
    words = 0
    for word in holder.split():
        word = word.strip(",.;:()\"'")
        if word[:1].islower() and word.isalpha() and word not in _NAME_CONNECTORS:
            words += 1
            if words >= _PROSE_WORDS:
                return True
    return False


BRACKETED_CONTACT = re.compile(
    r"\s*[<(\[]\s*(?:mailto:)?(?:[\w.+\-]+@[\w\-]+\.[\w.\-]+|https?://[^\s>)\]]+)\s*[>)\]]"
)


def clean_holder(raw: str) -> tuple[str, str]:
    """The holder as written, minus contact data, reservations and trailing years."""
    # "Jouni Malinen <j@example.org> and contributors": contact data goes, the name stays.
    raw = raw[: HOLDER_MAX * 2]  # longer is never a name; keeps minified lines cheap
    if FILLER in raw:
        # Markup goes; a tab (a line-break tag, see `copyrights._blank_tag`) still ends a holder.
        raw = re.sub(r"[^\S\t]*\x01+[^\S\t]*(?=[.,;:)]|$)|(?<=\w)\x01+(?=\w)", "", raw)
        raw = re.sub(r"[^\S\t]*\x01+[^\S\t]*", " ", raw)
    if "](" in raw:
        raw = _MARKDOWN_LINK.sub(r"\1", raw)
    if '\\"' in raw:  # a statement inside a string literal: '\"Cowboy\" Ben Alman\"'
        raw = raw.replace('\\"', '"')
    holder = BRACKETED_CONTACT.sub("", raw).strip()
    # "$LastChangedDate$" and "${year}" are version-control or template keywords, and
    # "Copyright (c) 2008 All rights reserved by X" names X after the reservation.
    holder = re.sub(
        r"^(?:(?:by|\(c\)|©)\s+|[-–:]\s*|%[ds]\s+|\$\{?\w+(?:\}|\$|:[^$]{0,80}\$)?\s+"
        r"|all\s+rights\s+reserved[.,]?\s+by\s+)",
        "",
        holder,
        flags=re.I,
    )
    if _RESERVATION_ONLY.match(holder):  # "Engie © 2020 - Tous droits réservés"
        return "", ""
    bracketed = _BRACKETED_NAME.fullmatch(holder)
    if bracketed is not None:  # "Copyright (c) <2010-2012> <Ciaran Jessup>": a filled-in template
        holder = bracketed.group(1)
    elif holder.endswith(">"):  # "Eric Paris <Red Hat Inc>": a bracketed note, like contact data
        holder = re.sub(r"(?<=\S)\s*<[^<>@]{1,80}>$", "", holder)
    cut = HOLDER_END.search(holder)
    trailing_years_after_cut = ""
    if cut is not None and cut.start() > 0:
        keep_period = holder[cut.start()] == "." and _ABBREVIATION_END.search(
            holder, 0, cut.start()
        )
        # "Copyright nexB and others (c) 2012": the years come after a second marker.
        if holder[cut.start() :].lstrip()[:3].lower() in {"(c)", "©"}:
            late = YEARS.match(holder[cut.end() :])
            trailing_years_after_cut = late.group(0) if late else ""
        holder = holder[: cut.start() + (1 if keep_period else 0)]
    elif cut is not None and re.match(r"\s*\(?\s*<?https?://", holder):
        holder = re.split(r"[\s)>]", holder.lstrip("(< "), maxsplit=1)[0].rstrip("/")  # a URL
    trailing = _TRAILING_YEARS.search(holder)
    trailing_years = trailing_years_after_cut
    if trailing is not None and trailing.start() > 0:
        trailing_years = trailing.group(0)
        holder = holder[: trailing.start()]
    # "Nigel McNie, 2007 - 2008 Benny Baumann": years between holders are not names.
    interior = _INTERIOR_YEARS.search(holder)
    if interior is not None and interior.start() > 0:
        trailing_years += " " + interior.group(0)
        rest = holder[interior.end() :]
        rest = rest.strip()
        next_holder = rest[:1].isupper() and not _SENTENCE_START.match(rest)
        holder = holder[: interior.start()] + (", " + rest if next_holder else "")
    # '"Cowboy" Ben Alman', "Paul `Rusty' Russell": a quoted nickname keeps its word.
    if "'" in holder or '"' in holder or "`" in holder:
        holder = _QUOTED_WORD.sub(r"\1\2", holder)
    holder = holder.strip("?@_ ,")  # "???? Simon Mourier", "__MyCompanyName__", "Name @"
    if " ," in holder:  # "Thomas G. Lane , Part of ..." (a space left before the comma)
        holder = re.sub(r"\s+,", ",", holder)
    for _ in range(2):  # 'Pfefferl".' and 'Robertson).' need two rounds
        holder = _TRAILING_NOISE.sub("", holder.strip())
        holder = holder.strip().rstrip(",;:-_\"'").strip()
        if holder.endswith(")") and holder.count("(") < holder.count(")"):
            holder = holder[:-1].rstrip()
        holder = _strip_sentence_period(holder)
    return holder, trailing_years


_RESERVATION_ONLY = re.compile(
    r"(?:all\s+rights\s+reserved|tous\s+droits|alle\s+rechte|todos\s+los\s+derechos"
    r"|tutti\s+i\s+diritti)\b",
    re.IGNORECASE,
)
# A name in angle brackets, not a placeholder ("<Your Name>", "<copyright holders>").
_BRACKETED_NAME = re.compile(
    r"<((?!(?:your|the|name|author|owner|holder|company|organi[sz]ation|copyright|year)\b)"
    r"[A-Z][^<>@{}\[\]]{1,80})>",
    re.IGNORECASE,
)
_QUOTED_WORD = re.compile(r"(^|\s)[\"'`]([\w\-]+)[\"']")
# "[Jon Schlinkert](https://github.com/jonschlinkert)": the link text is the name.
_MARKDOWN_LINK = re.compile(r"\[([^\]\[]{1,100})\]\([^)\s]{1,300}\)")
_INTERIOR_YEARS = re.compile(
    rf",?\s+{_YEAR}(?:\s*(?:-|–|,|and)\s*(?:{_YEAR}|\d\d\b))*(?:\s+and\b)?(?=\s|$)"
)
# "the European Community 2007 This European Union Public Licence": a sentence, not a holder.
_SENTENCE_START = re.compile(r"(?:This|These|The|Licensed|Permission|See|Released)\s")
# A nickname or project tag after the name ("Masayuki Hatta (mhatta)"; an acronym of the
# name stays: "... Research Organisation (CSIRO)"), a dangling "(see",
# a trailing "Copyleft" or "and".
_TRAILING_NOISE = re.compile(
    r"(?:\s+\*+|\*\*|[\"'][)\]]*|\s+\((?![A-Z][A-Z0-9&]+\))[\w.\-]+\)"
    # "(see LICENSE)" and "(foo@example.org)" go; "(for Australian Antarctic Division)" stays.
    r"|\s+\((?:(?!for\s)[a-z]|[^()]*[@:])[^()]*\)|\s+\([\w]*"
    r"|\s+(?i:copyleft)"
    r"|,?\s+and|,?\s+or)$"
)


# Company forms and initials whose final period belongs to the name ("Inc.", "S.L.", "ASA.").
_ABBREVIATION_END = re.compile(
    r"(?:\b(?i:inc|corp|co|ltd|llc|llp|plc|pty|gmbh|bhd|pvt|jr|sr|dr|st)|\.[a-zA-Z]|[A-Z]{2})$"
)


def _strip_sentence_period(holder: str) -> str:
    """ "Microsoft Corporation." ends a sentence; "Inc." and "S.L." keep their period."""
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


def parse_years(text: str) -> list[int]:
    years: list[int] = []
    for match in re.finditer(rf"({_YEAR})(?:\s*[-–]\s*(\d\d)\b(?!\d))?", text):
        years.append(int(match.group(1)))
        if match.group(2):
            years.append(int(match.group(1)[:2] + match.group(2)))
    return years

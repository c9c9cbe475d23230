"""Phone numbers: Presidio's PhoneRecognizer with memoised number checks, and the digit-run check.

Why memoise: Presidio's PhoneRecognizer runs one libphonenumber matcher per region, and
the matcher parses and validates every candidate it cuts from the text; on this stage's
windows that parsing was over half of the phone cost, and the same candidates recur
(the digit-run check below sees them first, then the windows around them, then the
next document repeats a version number or a date). The matcher here is upstream's with
one method wrapped: whether a candidate string parses to a valid number for a region is
a pure function of the string, the region and the leniency, so it is computed once.
Whether the characters next to it disqualify it still depends on the text, and is
checked every time exactly as upstream does. Same matches, same order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable
from typing import NamedTuple

import phonenumbers
from phonenumbers import phonenumbermatcher as _matcher

# Two private upstream helpers, used on purpose to repeat upstream's checks exactly
# (`_formatting_rule_has_first_group_only`, `fullmatch`): the matcher module
# re-exports them at run time but its stub does not, so they come from the modules
# that define them (the same function objects).
from phonenumbers.phonenumberutil import (
    NumberParseException,
    _formatting_rule_has_first_group_only,
)
from phonenumbers.re_util import fullmatch
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

# Presidio reports years with times ("37 2006", "35 -0500") as German numbers; no real
# number in the supported regions, written with its area code, has fewer than 7 digits.
MIN_PHONE_DIGITS = 7
# Dates, year ranges and time-zone stamps fill changelogs and copyright lines; none is
# a phone number, so digit runs holding one are dropped (documented filter).
DATE_LIKE = re.compile(
    r"(?:19|20)\d\d-(?:[01]\d-[0-3]\d|(?:19|20)\d\d)(?!\d)"  # 2004-11-23, 2001-2003
    r"|(?<!\d)(?:19|20)\d\d [+-][01]\d[0-5]\d(?!\d)"  # git/e-mail dates: "2007 -0500"
)
# C hex literals ("0x0 0x01003000" in device trees, register tables) are no phone
# numbers, yet libphonenumber reads the "x" as an extension mark and parses them,
# region by region: in kernel source they were half of all phone parsing. Digit runs
# are cut at them, and a phone value holding one is dropped (documented filter).
# Not "555-0100x12" or "5550100x12" (an extension): the "0x" must start a token;
# C's "u"/"l" suffixes may end it ("0x40000000ull").
HEX_LITERAL = re.compile(r"(?<![\w.\-])0[xX][0-9A-Fa-f]+(?:[uU][lL]{0,2}|[lL]{1,2}[uU]?)?(?!\w)")
_MEMO_SIZE = 1 << 17


# Candidates made of ASCII digits and plain punctuation: parsing reads their digits only.
_SCREENABLE = re.compile(r"[0-9 \-./()\[\]~]*")
_NON_DIGITS = re.compile(r"[^0-9]")
# Digit groups joined by ASCII hyphens only (no space, dot, slash or bracket to split on).
_PLAIN_NUMBER = re.compile(r"[0-9]{1,17}(?:-{1,4}[0-9]{1,17}){0,19}")
VALID = int(_matcher.Leniency.VALID)
_PLAIN_PREFIXES = re.compile(r"[0-9]+(?:\|[0-9]+)*")


# National prefixes given as patterns, checked by hand against libphonenumber's stripping
# (`_maybe_strip_national_prefix_carrier_code`): (pattern, transform rule) -> the most
# digits one stripping removes from the front, and the digits a stripped number starts
# with. Brazil: "0" or "90", optionally with a two-digit carrier code that "\\2" drops.
# Metadata that differs from these strings gets no screen.
_PATTERN_PREFIXES = {
    ("(?:0|90)(?:(1[245]|2[1-35]|31|4[13]|[56]5|99)(\\d{10,11}))?", "\\2"): (4, ("0", "90")),
}


def _prefix_rule(metadata: phonenumbers.PhoneMetadata) -> tuple[int, tuple[str, ...]] | None:
    """How a region's national prefix is stripped: (longest strip, starts), or None."""
    prefix = metadata.national_prefix_for_parsing or ""
    transform = metadata.national_prefix_transform_rule or ""
    if not transform and (not prefix or _PLAIN_PREFIXES.fullmatch(prefix)):
        starts = tuple(p for p in prefix.split("|") if p)
        return max((len(p) for p in starts), default=0), starts
    return _PATTERN_PREFIXES.get((prefix, transform))


@functools.lru_cache(maxsize=512)
def _region_screen(region: str) -> _Screen | None:
    """What any valid number parsed with this default region must look like, or None.

    Without a "+" or the region's international prefix, libphonenumber takes the
    region's country code, and the national significant number is the candidate's digits
    minus at most the country code and the national prefix (twice); it must have one of
    the possible lengths and match the general pattern of a region of that code. Regions
    whose national prefix stripping is not known to only cut a bounded prefix get no
    screen.
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    if metadata is None:
        return None
    rule = _prefix_rule(metadata)
    if rule is None:
        return None
    country_code = metadata.country_code
    if country_code is None:
        return None  # no regions share an absent code, so no pattern either
    lengths: set[int] = set()
    patterns: list[str] = []
    for code_region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ()):
        code_metadata = phonenumbers.PhoneMetadata.metadata_for_region(code_region, None)
        general = code_metadata.general_desc if code_metadata else None
        if general is None or not general.possible_length or not general.national_number_pattern:
            return None
        lengths.update(general.possible_length)
        patterns.append(general.national_number_pattern)
    if not patterns:
        return None
    idd = metadata.international_prefix
    home = phonenumbers.PhoneMetadata.metadata_for_region(
        phonenumbers.region_code_for_country_code(country_code), None
    )
    home_rule = _prefix_rule(home) if home is not None else None
    starts = set(rule[1]) | set(home_rule[1] if home_rule else ())
    # Some suffix of the digits, after at most `longest` skipped, has a possible length
    # and matches a general pattern: one regex, so the engine does the skipping.
    longest = len(str(country_code)) + 2 * rule[0]
    length_ahead = "|".join(f"[0-9]{{{n}}}" for n in sorted(lengths))
    any_general = "(?:" + ")|(?:".join(patterns) + ")"
    return _Screen(
        re.compile(idd) if idd else None,
        re.compile(f"[0-9]{{0,{longest}}}(?=(?:{length_ahead})$)(?:{any_general})"),
        tuple(sorted(starts)) + (str(country_code),),
        # home_rule is set only when home is, so this names home's formats.
        _format_rules(home.number_format) if home is not None and home_rule is not None else None,
    )


def _format_rules(number_formats) -> tuple:
    """Per number format: (leading digits, pattern, whether a national prefix is required).

    Compiled once here; libphonenumber looks every pattern up again on each call.
    """
    return tuple(
        (
            re.compile(f.leading_digits_pattern[-1]) if f.leading_digits_pattern else None,
            re.compile(f.pattern),
            bool(
                f.national_prefix_formatting_rule
                and not f.national_prefix_optional_when_formatting
                and not _formatting_rule_has_first_group_only(f.national_prefix_formatting_rule)
            ),
        )
        for f in number_formats
    )


class _Screen(NamedTuple):
    international_prefix: re.Pattern | None
    possible_national_number: re.Pattern  # fullmatch on the digits
    national_starts: tuple[str, ...]  # national prefixes (region's, home's), country code
    home_formats: tuple | None  # _format_rules of the country code's main region; None: skip


def _needs_missing_national_prefix(digits: str, screen: _Screen) -> bool:
    """Whether a number read in national format, without a national prefix, lacks one.

    Applies only when the digits start with neither a national prefix nor the country
    code, so libphonenumber keeps them whole as the national number and checks (at the
    VALID leniency) that a prefix its formatting rule requires was written.
    """
    if screen.home_formats is None or digits.startswith(screen.national_starts):
        return False
    # libphonenumber's _choose_formatting_pattern_for_number: the first format whose
    # leading digits and pattern fit the national number decides.
    for leading, pattern, requires_prefix in screen.home_formats:
        if (leading is None or leading.match(digits)) and pattern.fullmatch(digits):
            return requires_prefix
    return False


def cannot_be_valid(candidate: str, region: str) -> bool:
    """True only when parsing the candidate for the region cannot give a valid number.

    A cheap, exact pre-check against the region metadata (see _region_screen); False
    means "parse it", never "it is valid".
    """
    screen = _region_screen(region)
    if screen is None or not _SCREENABLE.fullmatch(candidate):
        return False
    digits = _NON_DIGITS.sub("", candidate)
    if screen.international_prefix is not None and screen.international_prefix.match(digits):
        return False
    if screen.possible_national_number.fullmatch(digits):
        return _needs_missing_national_prefix(digits, screen)
    return True


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _verified_number(candidate: str, region: str, leniency: int):
    """Upstream `_parse_and_verify` minus its neighbour checks: the number, or None."""
    if leniency == _matcher.Leniency.VALID and cannot_be_valid(candidate, region):
        return None
    if not fullmatch(_matcher._MATCHING_BRACKETS, candidate) or _matcher._PUB_PAGES.search(
        candidate
    ):
        return None
    try:
        number = phonenumbers.parse(candidate, region, keep_raw_input=True)
        # The stub wants a matcher, but the POSSIBLE and VALID checks (the only
        # leniencies memoised here) never read it; upstream's grouping checks do.
        if not _matcher._verify(leniency, number, candidate, None):  # type: ignore[arg-type]
            return None
    except NumberParseException:
        return None
    number.country_code_source = phonenumbers.CountryCodeSource.UNSPECIFIED
    number.raw_input = None
    number.preferred_domestic_carrier_code = None
    return number


@functools.lru_cache(maxsize=4096)
def _disqualifies(character: str) -> bool:
    """A letter or currency sign next to a candidate ("abc8005001234") rules it out."""
    matcher = _matcher.PhoneNumberMatcher
    return matcher._is_invalid_punctuation_symbol(character) or matcher._is_latin_letter(character)


class MemoisedPhoneNumberMatcher(_matcher.PhoneNumberMatcher):
    """libphonenumber's matcher; candidates are parsed and validated once per region.

    Only the VALID and POSSIBLE leniencies are memoised: the grouping leniencies look at
    the matcher itself, so they take upstream's path unchanged.
    """

    def _parse_and_verify(self, candidate, offset):
        if self.leniency > _matcher.Leniency.VALID:
            return super()._parse_and_verify(candidate, offset)
        if self.leniency >= _matcher.Leniency.VALID:
            text = self.text
            leads = offset > 0 and not _matcher._LEAD_PATTERN.match(candidate)
            if leads and _disqualifies(text[offset - 1]):
                return None
            after = offset + len(candidate)
            if after < len(text) and _disqualifies(text[after]):
                return None
        number = _verified_number(candidate, self.preferred_region, int(self.leniency))
        if number is None:
            return None
        return _matcher.PhoneNumberMatch(offset, candidate, number)


class MemoisedPhoneRecognizer(PhoneRecognizer):
    """Presidio's PhoneRecognizer (same name, score, context and results), memoised matcher."""

    def __init__(self, supported_regions) -> None:
        super().__init__(supported_regions=supported_regions, name="PhoneRecognizer")

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        leniency = self.leniency
        if leniency is None:
            # Upstream's matcher refuses a missing leniency with this same error.
            raise ValueError("Need a leniency value")
        results = []
        for region in self.supported_regions:
            for match in MemoisedPhoneNumberMatcher(text, region, leniency=leniency):
                results.append(
                    self._get_recognizer_result(
                        match, text, _explained_region(match.raw_string, region), nlp_artifacts
                    )
                )
        return EntityRecognizer.remove_duplicates(results)


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _explained_region(raw: str, region: str) -> str | None:
    """The region upstream names in its explanation (it re-parses the match without one).

    None when the number belongs to no region: upstream then says "None region" too.
    """
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(raw))
    except NumberParseException:
        return region


def _national_reading(candidate: str, region: str) -> Hashable:
    """What parsing the candidate for the region depends on, when it is plain national.

    Digits that start with neither a national prefix, the country code nor the
    international prefix are kept whole under the region's country code, so regions
    sharing the code and its prefix rules (US and CA) parse them identically.
    """
    screen = _region_screen(region)
    digits = _NON_DIGITS.sub("", candidate)
    if (
        screen is None
        or digits.startswith(screen.national_starts)
        or (screen.international_prefix is not None and screen.international_prefix.match(digits))
    ):
        return region
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    if metadata is None:
        return region  # unreachable: a region without metadata has no screen
    return (
        metadata.country_code,
        metadata.international_prefix,
        metadata.national_prefix_for_parsing,
        metadata.national_prefix_transform_rule,
    )


@functools.lru_cache(maxsize=65536)
def phone_matches(candidate: str, regions: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Spans libphonenumber finds in a digit run alone (cached: the same runs recur).

    Only these spans, widened into windows, go to the PhoneRecognizer, which then decides
    in context; this keeps its 8-regions-per-window cost off most digit runs.
    """
    if _PLAIN_NUMBER.fullmatch(candidate):
        # The matcher's only candidate in such a lone run is the whole run (none of its
        # inner-match patterns applies, no neighbour to check): skip its machinery.
        seen: set = set()
        for region in regions:
            reading = _national_reading(candidate, region)
            if reading in seen:
                continue  # parsed exactly as for an earlier region (e.g. CA after US)
            seen.add(reading)
            if _verified_number(candidate, region, VALID):
                return ((0, len(candidate)),)
        return ()
    if not _AnyRegionMatcher(candidate, regions).has_next():
        return ()
    return tuple(
        sorted(
            {
                (match.start, match.end)
                for region in regions
                for match in MemoisedPhoneNumberMatcher(candidate, region, leniency=1)
            }
        )
    )


class _AnyRegionMatcher(MemoisedPhoneNumberMatcher):
    """A VALID matcher whose candidates pass when valid for any of several regions.

    Why: the matcher's walk over a text (which substrings it tries, in which order,
    how many tries it has left) depends on the region only through which candidates
    are valid. So while no candidate is valid for any region, every region's matcher
    walks exactly this one's path; when this one finds nothing, none of them would.
    Runs of decimals ("0.0235 0.0275 0.0314") and byte tables are such texts in source
    code, and walking them once instead of once per region saves most of their cost.
    """

    def __init__(self, text: str, regions: tuple[str, ...]) -> None:
        super().__init__(text, regions[0], leniency=VALID)
        self._regions = regions

    def _parse_and_verify(self, candidate, offset):
        for region in self._regions:
            self.preferred_region = region
            match = super()._parse_and_verify(candidate, offset)
            if match is not None:
                return match
        return None


def phone_spans(text: str, start: int, end: int, regions: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where in the digit run text[start:end] a phone number may be; [] for dates and ranges."""
    if DATE_LIKE.search(text, start, end):
        return []
    spans: list[tuple[int, int]] = []
    for piece_start, piece_end in outside_hex_literals(text, start, end):
        if piece_start != start or piece_end != end:
            digits = sum(c.isdigit() for c in text[piece_start:piece_end])
            if digits < MIN_PHONE_DIGITS:
                continue  # a shorter value is dropped by the filters anyway
        lead = 1 if piece_start > 0 and text[piece_start - 1] in "+(" else 0
        base = piece_start - lead
        spans.extend((base + s, base + e) for s, e in phone_matches(text[base:piece_end], regions))
    return spans


def outside_hex_literals(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """text[start:end] minus the hex literals overlapping it, as (start, end) pieces."""
    if "x" not in text[start:end] and "X" not in text[start:end]:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    cursor = start
    for literal in HEX_LITERAL.finditer(text, max(0, start - 1), min(len(text), end + 1)):
        if literal.end() <= start or literal.start() >= end:
            continue
        if literal.start() > cursor:
            pieces.append((cursor, literal.start()))
        cursor = max(cursor, literal.end())
    if cursor < end:
        pieces.append((cursor, end))
    return pieces

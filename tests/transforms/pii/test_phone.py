"""The memoised phone matcher and its metadata pre-check agree with libphonenumber exactly."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import phonenumbermatcher as _matcher
from phonenumbers.phonenumberutil import NumberParseException

from schemas.pii import DEFAULT_PHONE_REGIONS
from transforms.pii.phone import MemoisedPhoneNumberMatcher, cannot_be_valid, phone_matches


def _digit_strings(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(7, 14)))
        prefix = rng.choice(["", "0", "1", "00", "011", "44", "49", "33", "91", "972", "55", "0 "])
        out.append(prefix + digits)
        out.append(f"{digits[:3]}-{digits[3:6]}-{digits[6:]}")
        out.append(f"({digits[:3]}) {digits[3:6]} {digits[6:]}")
        out.append(f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}")
    return out


REAL_LOOKING = [
    "+1 415-555-2671",
    "(415) 555-2671",
    "020 7946 0958",
    "+44 20 7946 0958",
    "030 901820",
    "01 23 45 67 89",
    "+33 1 23 45 67 89",
    "03-1234567",
    "+972 3-123-4567",
    "022 2345 6789",
    "+91 98765 43210",
    "(11) 91234-5678",
    "+55 11 91234-5678",
    "011 44 20 7946 0958",
    "2.13.90.0.18-1",
    "0x12345678",
    "call 212-555-0199 ext. 12",
    "abc8005001234",
    "8005001234def",
]


def _spans(matcher_class, text: str, region: str) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in matcher_class(text, region, leniency=1)]


@pytest.mark.parametrize("region", DEFAULT_PHONE_REGIONS)
def test_memoised_matcher_finds_what_libphonenumber_finds(region):
    for text in REAL_LOOKING + _digit_strings(300):
        assert _spans(MemoisedPhoneNumberMatcher, text, region) == _spans(
            phonenumbers.PhoneNumberMatcher, text, region
        ), (text, region)


def _parses_to_valid_number(text: str, region: str) -> bool:
    """What the matcher asks of each candidate it cuts: parse, then the VALID checks."""
    try:
        number = phonenumbers.parse(text, region, keep_raw_input=True)
    except NumberParseException:
        return False
    return bool(_matcher._verify(_matcher.Leniency.VALID, number, text, None))


@pytest.mark.parametrize("region", DEFAULT_PHONE_REGIONS)
def test_precheck_never_rules_out_a_valid_number(region):
    texts = REAL_LOOKING + _digit_strings(300, seed=12)
    assert any(_parses_to_valid_number(t, region) for t in texts)
    for text in texts:
        if cannot_be_valid(text, region):
            assert not _parses_to_valid_number(text, region), text


def test_precheck_rules_out_most_plain_numbers():
    """The point of the pre-check: most digit runs skip libphonenumber's parser."""
    texts = _digit_strings(200, seed=13)
    ruled_out = sum(cannot_be_valid(t, "US") for t in texts)
    assert ruled_out > len(texts) // 2


def test_precheck_leaves_international_numbers_to_the_parser():
    assert not cannot_be_valid("+44 20 7946 0958", "US")
    assert not cannot_be_valid("011 44 20 7946 0958", "US")


def _libphonenumber_spans(run: str, regions: tuple[str, ...]) -> list[tuple[int, int]]:
    """What phone_matches must return: upstream's VALID matches over all regions."""
    return sorted(
        {
            (m.start, m.end)
            for region in regions
            for m in phonenumbers.PhoneNumberMatcher(run, region, leniency=1)
        }
    )


def test_digit_run_check_matches_libphonenumber_on_plain_and_hyphenated_runs():
    rng = random.Random(14)
    runs = [t.replace(" ", "").replace("(", "").replace(")", "") for t in _digit_strings(150)]
    runs += [
        "-".join(str(rng.randint(0, 99999)) for _ in range(rng.randint(2, 4))) for _ in range(300)
    ]
    regions = tuple(DEFAULT_PHONE_REGIONS)
    for run in runs:
        expected = _libphonenumber_spans(run, regions)
        assert list(phone_matches.__wrapped__(run, regions)) == expected, run


def test_digit_run_check_matches_libphonenumber_on_spaced_and_dotted_runs():
    # Runs the any-region walk rules out (decimals, byte tables) and runs it passes on.
    rng = random.Random(15)
    runs = _digit_strings(100) + REAL_LOOKING
    runs += [" ".join(f"{rng.random():.4f}" for _ in range(rng.randint(2, 6))) for _ in range(150)]
    runs += [
        " ".join(str(rng.randint(0, 255)) for _ in range(rng.randint(3, 12))) for _ in range(150)
    ]
    runs += [
        f"{run} {other}" for run, other in zip(REAL_LOOKING, reversed(REAL_LOOKING), strict=True)
    ]
    regions = tuple(DEFAULT_PHONE_REGIONS)
    found = 0
    for run in runs:
        expected = _libphonenumber_spans(run, regions)
        assert list(phone_matches.__wrapped__(run, regions)) == expected, run
        found += bool(expected)
    assert 50 < found < len(runs) - 200  # both kinds of run were exercised


def test_hex_literals_are_cut_out_of_digit_runs():
    from transforms.pii.phone import outside_hex_literals

    text = "reg = <0x0 0x01003000 0x0 0x00000800>; period = 0x40000000ull;"
    start, end = text.index("0x0"), text.index(">")
    pieces = outside_hex_literals(text, start, end)
    assert all("0x" not in text[a:b] for a, b in pieces)
    assert "".join(text[a:b] for a, b in pieces).strip() == ""
    assert outside_hex_literals("call 415 555 0132", 5, 17) == [(5, 17)]


@pytest.mark.parametrize(
    "value, is_hex",
    [
        ("0x01003000", True),
        ("0x40000000ull", True),
        ("(0x4048", True),
        ("555-0100x12", False),  # an extension glued to a number
        ("5550100x12", False),
        ("415 555 0132 x12", False),
        ("0xZZ", False),
    ],
)
def test_hex_literal_pattern_spares_phone_extensions(value, is_hex):
    from transforms.pii.phone import HEX_LITERAL

    assert bool(HEX_LITERAL.search(value)) is is_hex


def test_hex_runs_give_no_phone_candidates_and_plain_runs_are_unchanged():
    from transforms.pii.phone import phone_spans

    regions = tuple(DEFAULT_PHONE_REGIONS)
    device_tree = "ranges = <0x0 0x02000000 0x0 0x10000000 0x05000 0x1000>;"
    first = device_tree.index("0x0")
    assert phone_spans(device_tree, first, device_tree.index(">"), regions) == []
    text = "tel 415 555 0132"
    assert [text[a:b] for a, b in phone_spans(text, 4, len(text), regions)] == ["415 555 0132"]

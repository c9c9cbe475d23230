"""PiiEngine: what it finds, where, and what it never does (network, leaking values)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from schemas.pii import PiiSettings
from transforms.pii.engine import PiiConfigError, PiiEngine

KEY = b"test-key-0123456789"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def engine() -> PiiEngine:
    return PiiEngine(PiiSettings())


def found(engine: PiiEngine, text: str) -> list[tuple[str, str]]:
    return [(f.entity_type, text[f.start : f.end]) for f in engine.scan(text, KEY)]


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("mail jane.roe@acme-corp.io today", "EMAIL_ADDRESS", "jane.roe@acme-corp.io"),
        ("call +44 20 7946 0958 now", "PHONE_NUMBER", "+44 20 7946 0958"),
        ("call (212) 555-0198 now", "PHONE_NUMBER", "(212) 555-0198"),
        ("card 4111 1111 1111 1111 expires", "CREDIT_CARD", "4111 1111 1111 1111"),
        ("IBAN DE89 3704 0044 0532 0130 00 ok", "IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
        ("client 81.2.69.160 connected", "IP_ADDRESS", "81.2.69.160"),
        ("client 2a00:1450:4001:82a::200e connected", "IP_ADDRESS", "2a00:1450:4001:82a::200e"),
        ("my ssn is 536-22-1234", "US_SSN", "536-22-1234"),
        ("aws key AKIAZ7VQ4XMPLE5TQW3R here", "AWS_ACCESS_KEY", "AKIAZ7VQ4XMPLE5TQW3R"),
        (
            "token ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5 here",
            "GITHUB_TOKEN",
            "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5",
        ),
        ("GITLAB=glpat-x2Ab9cD4eF6gH8iJ0kL1 x", "GITLAB_TOKEN", "glpat-x2Ab9cD4eF6gH8iJ0kL1"),
        ("slack xoxb-1234567890-abcdefABCDEF ok", "SLACK_TOKEN", "xoxb-1234567890-abcdefABCDEF"),
        ('db_password = "Zr8#qLm2!vTx9"', "SECRET_VALUE", "Zr8#qLm2!vTx9"),
    ],
)
def test_each_supported_entity_is_found_with_its_exact_span(engine, text, entity, value):
    assert (entity, value) in found(engine, text)


def test_private_key_block_is_found_whole(engine):
    block = (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1c2Vy3Zx\nq8Tn0aBcDeFgHiJk==\n"
        "-----END RSA PRIVATE KEY-----"
    )
    assert ("PRIVATE_KEY", block) in found(engine, f"key:\n{block}\nend")


def test_offsets_are_in_whole_text_coordinates_far_into_a_long_document(engine):
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n" * 400
    text = filler + "reach me at far.away@mailhost.net please\n" + filler
    [finding] = engine.scan(text, KEY)
    assert text[finding.start : finding.end] == "far.away@mailhost.net"


def test_offsets_count_characters_not_bytes_in_non_ascii_text(engine):
    text = "Grüße aus Köln — schreib an jürgen.weiß@beispiel-firma.de ✓"
    assert found(engine, text) == [("EMAIL_ADDRESS", "jürgen.weiß@beispiel-firma.de")]


def test_lone_surrogates_do_not_break_the_scan_or_shift_offsets(engine):
    text = "broken \ud800 escape, mail jane.roe@acme-corp.io"
    assert found(engine, text) == [("EMAIL_ADDRESS", "jane.roe@acme-corp.io")]


def test_empty_text_has_no_findings(engine):
    assert engine.scan("", KEY) == []


def test_card_like_number_failing_luhn_is_not_reported_without_card_context(engine):
    assert found(engine, "ref 4111 1111 1111 1112 expires") == []


def test_number_after_the_word_card_is_a_card_even_if_luhn_fails(engine):
    text = "please block my card 675984103431 today"
    assert found(engine, text) == [("CREDIT_CARD", "675984103431")]


def test_number_after_a_phone_word_is_a_phone_even_if_libphonenumber_cannot_place_it(engine):
    assert found(engine, "Phone:\n451 5986 (home)") == [("PHONE_NUMBER", "451 5986")]


def test_zip_codes_ranges_and_versions_are_not_phone_numbers(engine):
    text = "Boston, MA 02110-1301 USA; uids 60000-64999; binutils (2.13.90.0.18-1.7)"
    assert found(engine, text) == []


def test_iban_with_wrong_checksum_is_not_reported(engine):
    assert found(engine, "IBAN DE88 3704 0044 0532 0130 00") == []


def test_bare_nine_digit_number_needs_ssn_context_to_count(engine):
    assert found(engine, "order number 536221234 shipped") == []
    assert found(engine, "ssn 536221234") == [("US_SSN", "536221234")]


def test_documentation_ip_ranges_are_allowed(engine):
    text = "hosts 192.0.2.10, 198.51.100.7, 203.0.113.99 and 2001:db8::1"
    assert found(engine, text) == []


def test_reserved_example_domains_are_allowed(engine):
    text = "write to a@example.com, b@mail.example.org, c@host.test or d@x.invalid"
    assert found(engine, text) == []


def test_configured_allow_list_and_domains_are_allowed():
    engine = PiiEngine(
        PiiSettings(
            entities=["EMAIL_ADDRESS"],
            allow_list=["Press@Acme-Corp.io"],
            allow_domains=["lists.debian.org"],
        )
    )
    text = "press@acme-corp.io, team@lists.debian.org, jane@acme-corp.io"
    assert found(engine, text) == [("EMAIL_ADDRESS", "jane@acme-corp.io")]


def test_aws_documentation_example_key_is_not_a_secret(engine):
    assert found(engine, "aws_access_key_id = AKIAIOSFODNN7EXAMPLE") == []


def test_low_entropy_or_placeholder_assignments_are_not_secrets(engine):
    text = "password = changeme123\nsecret_key = settings.SECRET_KEY\napi_key = aaaaaaaaaaaa"
    assert [e for e, _ in found(engine, text) if e == "SECRET_VALUE"] == []


def test_phone_inside_a_card_number_is_reported_as_the_card_only(engine):
    assert [e for e, _ in found(engine, "card 4111111111111111 ok")] == ["CREDIT_CARD"]


def test_dates_are_not_phone_numbers(engine):
    assert found(engine, "released 2004-11-23, Date: Mon Nov 5 16:14:35 2007 -0500") == []


def test_configured_phone_regions_are_used():
    text = "ring 020 7946 0958 today"  # a London number, national format
    us_only = PiiEngine(PiiSettings(entities=["PHONE_NUMBER"], phone_regions=["US"]))
    assert found(us_only, text) == []
    gb = PiiEngine(PiiSettings(entities=["PHONE_NUMBER"], phone_regions=["GB"]))
    assert found(gb, text) == [("PHONE_NUMBER", "020 7946 0958")]


def test_only_configured_entities_are_reported():
    engine = PiiEngine(PiiSettings(entities=["IP_ADDRESS"]))
    assert found(engine, "jane@acme-corp.io from 81.2.69.160") == [("IP_ADDRESS", "81.2.69.160")]


def test_fast_path_matches_presidio_on_the_whole_text(engine):
    text = (
        "Contact jane.roe@acme-corp.io or +1 415-555-0132 (mobile).\n" * 3
        + "Payment: card 4111-1111-1111-1111, IBAN GB82 WEST 1234 5698 7654 32.\n"
        + "SSN: 536-22-1234; host 81.2.69.160 / fe80::1ff:fe23:4567:890a.\n"
        + "def f(x):\n    return x[::2] + std::vector<int>{1, 2, 3}  # 2021-03-04\n"
        + 'AWS AKIAZ7VQ4XMPLE5TQW3R api_key="Zr8#qLm2!vTx9kP"\n'
    )
    assert engine.scan(text, KEY) == engine.scan_reference(text, KEY)


def test_batch_scan_equals_scanning_each_text(engine):
    texts = ["a jane@acme-corp.io", "", "ssn 536-22-1234 and 81.2.69.160", "nothing here"]
    assert engine.scan_batch(texts, KEY) == [engine.scan(t, KEY) for t in texts]


def test_same_value_gives_same_token_across_formats(engine):
    text = "a JANE@Acme-Corp.io b jane@acme-corp.io c +1 (415) 555-0132 d 415.555.0132"
    tokens = [f.value_token for f in engine.scan(text, KEY)]
    assert tokens[0] == tokens[1] and tokens[2] == tokens[3] and tokens[0] != tokens[2]


def test_findings_never_hold_the_value(engine):
    text = "mail jane.roe@acme-corp.io card 4111 1111 1111 1111"
    rendered = repr(engine.scan(text, KEY)) + str([f.to_row() for f in engine.scan(text, KEY)])
    assert "jane" not in rendered and "4111" not in rendered


def test_engine_survives_pickling_for_beam_workers(engine):
    clone = pickle.loads(pickle.dumps(engine))
    text = "mail jane.roe@acme-corp.io"
    assert clone.scan(text, KEY) == engine.scan(text, KEY)


def test_missing_spacy_model_is_a_config_error_naming_the_model_and_the_fix():
    with pytest.raises(PiiConfigError, match=r"en_core_web_lg.*spacy download en_core_web_lg"):
        PiiEngine(PiiSettings(nlp_model="en_core_web_lg"))


NETWORK_GUARD = (
    "import socket\n"
    "attempts = []\n"
    "def refuse(*args, **kwargs):\n"
    "    attempts.append(args[:2])\n"
    "    raise OSError('network access attempted')\n"
    "socket.getaddrinfo = refuse\n"
    "socket.create_connection = refuse\n"
    "socket.socket.connect = refuse\n"
    "socket.socket.connect_ex = refuse\n"
)


def run_guarded(script: str, home: Path) -> subprocess.CompletedProcess:
    """Run a script in a fresh interpreter with every way out to the network refused.

    Attempts are recorded as well as refused: tldextract swallows the error and falls
    back to its snapshot, so only the record shows that it tried.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TLDEXTRACT")}
    env["PYTHONPATH"] = str(REPO)
    env["HOME"] = str(home)  # empty: no cached suffix list to fall back on
    env["XDG_CACHE_HOME"] = env["HOME"]
    return subprocess.run(
        [sys.executable, "-c", NETWORK_GUARD + script + "assert not attempts, attempts\n"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_network_guard_catches_tldextract_default_download(tmp_path):
    result = run_guarded(
        "import tldextract\ntldextract.extract('jane@acme-corp.co.uk')\n", tmp_path
    )
    assert result.returncode != 0 and "network" not in result.stdout


def test_engine_never_opens_a_network_connection_in_a_fresh_process(tmp_path):
    script = (
        "from schemas.pii import PiiSettings\n"
        "from transforms.pii.engine import PiiEngine\n"
        "engine = PiiEngine(PiiSettings())\n"
        "text = 'mail jane@acme-corp.co.uk or see https://www.acme-corp.co.uk/x'\n"
        "assert len(engine.scan(text, b'k')) == 1\n"
        "assert len(engine.scan_reference(text, b'k')) == 1\n"
    )
    result = run_guarded(script, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]

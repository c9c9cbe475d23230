"""apply_pii_policy and value normalisation: pure functions over findings, no Presidio."""

from __future__ import annotations

from schemas.pii import PiiFinding, PiiSettings
from transforms.common.hashing import hmac_token
from transforms.pii.redaction import apply_pii_policy, normalise_value, resolve_overlaps

KEY = b"test-key"


def finding(text: str, value: str, entity: str, score: float = 1.0) -> PiiFinding:
    start = text.index(value)
    token = hmac_token(KEY, normalise_value(entity, value))
    return PiiFinding(start, start + len(value), entity, score, "test", token)


def test_redact_replaces_the_span_with_the_entity_type():
    text = "mail jane@acme.io now"
    outcome = apply_pii_policy(
        text, [finding(text, "jane@acme.io", "EMAIL_ADDRESS")], PiiSettings()
    )
    assert outcome.redacted_text == "mail <EMAIL_ADDRESS> now"
    assert outcome.redacted and not outcome.reject
    assert outcome.reasons == ["pii.redacted.EMAIL_ADDRESS"]
    assert outcome.counts == {"EMAIL_ADDRESS": 1}


def test_pseudonymize_gives_the_same_token_for_the_same_person_in_any_case():
    settings = PiiSettings(actions={"EMAIL_ADDRESS": "pseudonymize"})
    first = "from Jane@Acme.io"
    second = "to jane@acme.io"
    a = apply_pii_policy(first, [finding(first, "Jane@Acme.io", "EMAIL_ADDRESS")], settings)
    b = apply_pii_policy(second, [finding(second, "jane@acme.io", "EMAIL_ADDRESS")], settings)
    token = hmac_token(KEY, "jane@acme.io")[:8]
    assert a.redacted_text == f"from <EMAIL_ADDRESS:{token}>"
    assert b.redacted_text == f"to <EMAIL_ADDRESS:{token}>"
    assert a.reasons == ["pii.redacted.EMAIL_ADDRESS"]


def test_sensitive_entity_rejects_the_document_with_a_sensitive_reason():
    text = "card 4111 1111 1111 1111"
    outcome = apply_pii_policy(
        text, [finding(text, "4111 1111 1111 1111", "CREDIT_CARD")], PiiSettings()
    )
    assert outcome.reject
    assert outcome.reasons == ["pii.sensitive.CREDIT_CARD"]


def test_secret_rejects_the_document_with_a_secret_reason():
    text = "key AKIAZ7VQ4XMPLE5TQW3R"
    outcome = apply_pii_policy(
        text, [finding(text, "AKIAZ7VQ4XMPLE5TQW3R", "AWS_ACCESS_KEY")], PiiSettings()
    )
    assert outcome.reject and outcome.reasons == ["pii.secret.AWS_ACCESS_KEY"]


def test_rejected_document_text_is_still_redacted():
    text = "ssn 536-22-1234"
    outcome = apply_pii_policy(text, [finding(text, "536-22-1234", "US_SSN")], PiiSettings())
    assert outcome.redacted_text == "ssn <US_SSN>"


def test_keep_leaves_text_alone_but_still_counts():
    text = "host 81.2.69.160"
    settings = PiiSettings(actions={"IP_ADDRESS": "keep"})
    outcome = apply_pii_policy(text, [finding(text, "81.2.69.160", "IP_ADDRESS")], settings)
    assert outcome.redacted_text == text
    assert not outcome.redacted and outcome.reasons == []
    assert outcome.counts == {"IP_ADDRESS": 1}


def test_no_findings_leave_the_text_unchanged():
    outcome = apply_pii_policy("plain text", [], PiiSettings())
    assert (outcome.redacted_text, outcome.redacted, outcome.reject) == ("plain text", False, False)


def test_overlaps_keep_the_higher_score():
    text = "n 4111111111111111"
    card = finding(text, "4111111111111111", "CREDIT_CARD", 1.0)
    phone = finding(text, "4111111111", "PHONE_NUMBER", 0.4)
    assert resolve_overlaps([phone, card]) == [card]


def test_overlaps_with_equal_scores_keep_the_longer_then_the_earlier():
    text = "abcdefghij"
    long_one = PiiFinding(2, 8, "A", 0.5, "t", "x")
    short_one = PiiFinding(0, 4, "B", 0.5, "t", "y")
    later = PiiFinding(6, 10, "C", 0.5, "t", "z")
    assert resolve_overlaps([short_one, later, long_one]) == [long_one]
    assert resolve_overlaps([later, PiiFinding(0, 4, "B", 0.5, "t", "y")]) == [
        PiiFinding(0, 4, "B", 0.5, "t", "y"),
        later,
    ]
    assert text  # spans refer to this text


def test_overlap_resolution_does_not_depend_on_input_order():
    a = PiiFinding(0, 5, "A", 0.5, "t", "x")
    b = PiiFinding(0, 5, "B", 0.5, "t", "y")
    assert resolve_overlaps([a, b]) == resolve_overlaps([b, a]) == [a]


def test_email_is_normalised_to_lower_case():
    assert normalise_value("EMAIL_ADDRESS", " Jane@ACME.io ") == "jane@acme.io"


def test_phone_is_normalised_to_e164_using_the_regions():
    assert normalise_value("PHONE_NUMBER", "(415) 555-0132", ["US"]) == "+14155550132"
    assert normalise_value("PHONE_NUMBER", "020 7946 0958", ["GB"]) == "+442079460958"


def test_card_and_ssn_are_normalised_to_digits():
    assert normalise_value("CREDIT_CARD", "4111-1111 1111-1111") == "4111111111111111"
    assert normalise_value("US_SSN", "536 22 1234") == "536221234"


def test_iban_and_ip_are_normalised_to_canonical_forms():
    assert normalise_value("IBAN_CODE", "de89 3704-0044") == "DE8937040044"
    assert normalise_value("IP_ADDRESS", "2A00:1450:0:0::200E") == "2a00:1450::200e"


def test_redaction_repeats_until_the_text_is_stable():
    """In an address range the recognizer may take the second address first; redacting it
    exposes the first, which a second pass must catch."""
    import os

    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    from transforms.pii.engine import PiiEngine
    from transforms.pii.redaction import redact_until_stable

    settings = PiiSettings()
    engine = PiiEngine(settings)
    key = b"k" * 32
    text = "nat src addr 5.5.5.7-5.5.6.0 port 1024 and range 10.20.30.40-10.20.31.0 end"
    findings, outcome = redact_until_stable(
        text, engine.scan(text, key), settings, lambda t: engine.scan(t, key)
    )
    assert "5.5.5.7" not in outcome.redacted_text and "10.20.30.40" not in outcome.redacted_text
    assert not [f for f in engine.scan(outcome.redacted_text, key) if f.entity_type == "IP_ADDRESS"]
    assert sum(outcome.counts.values()) == len(findings)

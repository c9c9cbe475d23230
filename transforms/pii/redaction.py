"""Normalising detected values for tokens, and applying the per-entity policy to a text.

Pure functions over plain data: no Presidio, no Beam. The same person must map to the
same token corpus-wide, so values are normalised (case, punctuation, E.164) before the
keyed HMAC is taken.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import phonenumbers

from schemas.actions import Action
from schemas.pii import PiiFinding, PiiOutcome, PiiSettings, reason_code
from transforms.common.hashing import hmac_token

PSEUDONYM_HEX_LENGTH = 8
_NON_DIGITS = re.compile(r"\D")
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


def normalise_value(entity_type: str, value: str, phone_regions: Sequence[str] = ("US",)) -> str:
    """The canonical form of a value, so formatting variants of one identifier match.

    E-mail: lower-cased. Phone: E.164 when phonenumbers can parse it (trying the
    configured regions in order), else digits only. Card, SSN: digits only. IBAN:
    upper-case alphanumerics. IP: the canonical compressed form. Secrets: as found.
    """
    value = value.strip()
    if entity_type == "EMAIL_ADDRESS":
        return value.lower()
    if entity_type == "PHONE_NUMBER":
        return _normalise_phone(value, phone_regions)
    if entity_type in ("CREDIT_CARD", "US_SSN"):
        return _NON_DIGITS.sub("", value)
    if entity_type == "IBAN_CODE":
        return _NON_ALNUM.sub("", value).upper()
    if entity_type == "IP_ADDRESS":
        try:
            return str(ipaddress.ip_interface(value)).removesuffix("/32").removesuffix("/128")
        except ValueError:
            return value.lower()
    return value


def _normalise_phone(value: str, regions: Sequence[str]) -> str:
    for region in (None, *regions):
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return _NON_DIGITS.sub("", value)


def value_token(key: bytes, entity_type: str, value: str, phone_regions: Sequence[str]) -> str:
    return hmac_token(key, normalise_value(entity_type, value, phone_regions))


def resolve_overlaps(findings: Iterable[PiiFinding]) -> list[PiiFinding]:
    """Non-overlapping findings, chosen greedily: higher score, then longer, then earlier.

    Ties after that break on entity type name, so the choice never depends on input order.
    """
    ranked = sorted(findings, key=lambda f: (-f.score, -(f.end - f.start), f.start, f.entity_type))
    chosen: list[PiiFinding] = []
    for finding in ranked:
        if all(finding.end <= kept.start or kept.end <= finding.start for kept in chosen):
            chosen.append(finding)
    return sorted(chosen)


def replacement_for(finding: PiiFinding, action: Action) -> str:
    if action is Action.PSEUDONYMIZE:
        return f"<{finding.entity_type}:{finding.value_token[:PSEUDONYM_HEX_LENGTH]}>"
    return f"<{finding.entity_type}>"


def apply_pii_policy(
    text: str, findings: Sequence[PiiFinding], settings: PiiSettings
) -> PiiOutcome:
    """Redact, pseudonymize, reject or keep each finding as the settings say.

    Counts cover every finding by type. Reasons: `pii.redacted.<TYPE>` for redacted or
    pseudonymized types, `pii.sensitive.<TYPE>` / `pii.secret.<TYPE>` for types that
    reject the document. A rejected document's text is still redacted (every non-`keep`
    span), so the text can never leak a rejected value if someone uses it anyway.
    Pseudonyms come from `value_token`, so no key is needed here.
    """
    counts = dict(sorted(Counter(f.entity_type for f in findings).items()))
    acted = [f for f in findings if settings.action_for(f.entity_type) is not Action.KEEP]
    reasons = sorted(
        {reason_code(f.entity_type, settings.action_for(f.entity_type)) for f in acted}
    )
    reject = any(settings.action_for(f.entity_type) is Action.REJECT for f in acted)
    pieces: list[str] = []
    cursor = 0
    for finding in resolve_overlaps(acted):
        pieces.append(text[cursor : finding.start])
        pieces.append(replacement_for(finding, settings.action_for(finding.entity_type)))
        cursor = finding.end
    pieces.append(text[cursor:])
    return PiiOutcome(
        redacted_text="".join(pieces),
        redacted=bool(acted),
        reject=reject,
        counts=counts,
        reasons=reasons,
    )


# Documentation ranges: RFC 5737 (IPv4 examples) and RFC 3849 (IPv6 examples).
DOCUMENTATION_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
# RFC 2606 / RFC 6761 reserved names: never a real person's address.
RESERVED_DOMAINS = ("example.com", "example.org", "example.net")
RESERVED_SUFFIXES = (".test", ".example", ".invalid", ".localhost")


def is_allowed(entity_type: str, value: str, settings: PiiSettings) -> bool:
    """True when a detected value is on an allow-list and must not be reported.

    Built-in: documentation, loopback and unspecified IPs; reserved e-mail domains. Configured:
    `allow_list` (compared after normalisation) and `allow_domains` (with subdomains).
    """
    normalised = normalise_value(entity_type, value, settings.phone_regions)
    if any(
        normalised == normalise_value(entity_type, a, settings.phone_regions)
        for a in settings.allow_list
    ):
        return True
    if entity_type == "IP_ADDRESS":
        try:
            address = ipaddress.ip_interface(value.strip()).ip
        except ValueError:
            return False
        # Loopback and unspecified addresses name a machine's self, never a person.
        return (
            address.is_loopback
            or address.is_unspecified
            or any(address in network for network in DOCUMENTATION_NETWORKS)
        )
    if entity_type == "EMAIL_ADDRESS":
        domain = normalised.rpartition("@")[2]
        domains = RESERVED_DOMAINS + tuple(d.lower().lstrip(".") for d in settings.allow_domains)
        return domain.endswith(RESERVED_SUFFIXES) or any(
            domain == d or domain.endswith("." + d) for d in domains
        )
    return False


MAX_REDACTION_PASSES = 3


def redact_until_stable(
    text: str,
    findings: Sequence[PiiFinding],
    settings: PiiSettings,
    scan: Callable[[str], list[PiiFinding]],
) -> tuple[list[PiiFinding], PiiOutcome]:
    """Apply the policy, then re-scan the redacted text until nothing new is found.

    Redaction can create new matches: in "5.5.5.7-5.5.6.0" the recognizer takes the
    second address, and "5.5.5.7-<IP_ADDRESS>" then exposes the first. Each further
    pass scans only what the previous one produced (at most MAX_REDACTION_PASSES
    passes). Later-pass findings are returned too, so their tokens still reach the
    ledger (and erasure), with `recognizer` marking that their offsets refer to that
    pass's text, not the original.
    """
    outcome = apply_pii_policy(text, findings, settings)
    all_findings = list(findings)
    for number in range(2, MAX_REDACTION_PASSES + 1):
        if not outcome.redacted:
            break
        extra = [
            finding
            for finding in scan(outcome.redacted_text)
            if settings.action_for(finding.entity_type) is not Action.KEEP
        ]
        if not extra:
            break
        again = apply_pii_policy(outcome.redacted_text, extra, settings)
        all_findings += [
            replace(
                finding,
                recognizer=f"{finding.recognizer} (pass {number}, offsets in the redacted text)",
            )
            for finding in extra
        ]
        counts = Counter(outcome.counts)
        counts.update(again.counts)
        outcome = PiiOutcome(
            redacted_text=again.redacted_text,
            redacted=True,
            reject=outcome.reject or again.reject,
            counts=dict(sorted(counts.items())),
            reasons=sorted(set(outcome.reasons) | set(again.reasons)),
        )
    return all_findings, outcome

"""The catalogue of reason codes: what each means to a non-engineer and which rule it serves.

One table feeds the audit report, `policy explain` and the data-quality check that every
ledger reason comes from the known set, so a code added by a stage without an entry here
shows up as "unknown" everywhere at once instead of silently reading as fine.
Family entries (`pii.redacted.*`) cover codes whose last part names an entity type.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from schemas.dead_letter import DEAD_LETTER_DESCRIPTIONS


@dataclass(frozen=True)
class ReasonInfo:
    """A code's plain-language meaning and the regulation or principle it serves."""

    explanation: str
    serves: str


GDPR_MINIMISATION = "GDPR Art. 5(1)(c) data minimisation; China Interim Measures Art. 7(3)"
GDPR_SPECIAL = (
    "GDPR Art. 9 special categories, Art. 87 national identifiers, Art. 32 security; "
    "PIPL Art. 28 sensitive personal information (identity numbers, financial accounts)"
)
SECURITY = "GDPR Art. 32 security of processing; TC260 security requirements"
COPYRIGHT = "Copyright law (EU DSM Directive Art. 4; China Interim Measures Art. 7(2))"
TDM_OPTOUT = "EU AI Act Art. 53(1)(c) and DSM Directive Art. 4(3) text-and-data-mining opt-out"
CONSENT = "GDPR Art. 6(1)(a) consent, Art. 7(3) withdrawal; China Interim Measures Art. 7(3)"
QUALITY = "China Interim Measures Art. 7(4) data quality; training-data hygiene"
SOURCE_RULES = "TC260 per-source sampling gate and evidence rules; Interim Measures Art. 7(1)"
NOTHING_LOST = "Accountability (GDPR Art. 5(2)): every input record is accounted for"

CATALOGUE: dict[str, ReasonInfo] = {
    "accept.clean": ReasonInfo(
        "Nothing in the document triggered any rule; it was used as is.", NOTHING_LOST
    ),
    "pii.redacted.*": ReasonInfo(
        "Personal data of this type (for example an e-mail address or phone number) was "
        "found and replaced by a placeholder before the text was used.",
        GDPR_MINIMISATION,
    ),
    "pii.sensitive.*": ReasonInfo(
        "The document held sensitive personal data of this type (for example a social "
        "security or card number), so the whole document was left out.",
        GDPR_SPECIAL,
    ),
    "pii.secret.*": ReasonInfo(
        "The document held a credential or secret key of this type, so it was left out.",
        SECURITY,
    ),
    "scan.time_budget_exceeded": ReasonInfo(
        "Scanning the document took longer than the configured time budget, so it was left "
        "out rather than used without a complete check.",
        NOTHING_LOST,
    ),
    "license.non_commercial": ReasonInfo(
        "The license forbids commercial use, which this policy's intended use needs.", COPYRIGHT
    ),
    "license.no_derivatives": ReasonInfo(
        "The license forbids derived works, which training may create.", COPYRIGHT
    ),
    "license.conflict": ReasonInfo(
        "The licenses found in the document contradict each other or the source's declared "
        "license, so its rights are unclear.",
        COPYRIGHT,
    ),
    "license.reserved_tdm": ReasonInfo(
        "The rights holder reserved text-and-data-mining rights in the license terms.",
        TDM_OPTOUT,
    ),
    "license.all_rights_reserved": ReasonInfo(
        "The document states all rights are reserved and no license allows our use.", COPYRIGHT
    ),
    "license.unknown": ReasonInfo("No license could be determined for the document.", COPYRIGHT),
    "license.copyleft": ReasonInfo(
        "The document is under a copyleft license (e.g. GPL, CC BY-SA): it may be used, but "
        "works derived from it may have to carry the same license.",
        COPYRIGHT,
    ),
    "license.proprietary": ReasonInfo(
        "The document is under a proprietary license that does not grant the use we need.",
        COPYRIGHT,
    ),
    "license.category_not_allowed": ReasonInfo(
        "The document's license category is not allowed for this policy's intended use.",
        COPYRIGHT,
    ),
    "dedup.exact_duplicate": ReasonInfo(
        "An identical copy was kept elsewhere (the copy with the strongest rights), so this "
        "one was not used again.",
        QUALITY,
    ),
    "dedup.near_duplicate": ReasonInfo(
        "A nearly identical copy was kept elsewhere, so this one was not used again.", QUALITY
    ),
    "dedup.exact_duplicate_of": ReasonInfo(
        "This document is an identical copy of another one that was kept.", QUALITY
    ),
    "dedup.near_duplicate_of": ReasonInfo(
        "This document is a near copy of another one that was kept.", QUALITY
    ),
    "consent.missing": ReasonInfo(
        "The source relies on consent but no consent record was found for the person.", CONSENT
    ),
    "consent.withdrawn": ReasonInfo(
        "The person withdrew their consent, so their content is no longer used.", CONSENT
    ),
    "consent.withdrawn_mention": ReasonInfo(
        "The document mentions a person who withdrew or refused consent; their details were "
        "redacted from the text.",
        CONSENT,
    ),
    "consent.withdrawn_copy": ReasonInfo(
        "The document is a copy (exact or near) of text whose author withdrew or refused "
        "consent; a copy of a person's text is still their text, so it was not used.",
        CONSENT,
    ),
    "consent.refused": ReasonInfo("The person refused consent for this use.", CONSENT),
    "optout.tdm_reservation": ReasonInfo(
        "The publisher reserved text-and-data-mining rights (TDMRep header, meta tag or "
        "tdmrep.json), so the content was not used.",
        TDM_OPTOUT,
    ),
    "optout.noai": ReasonInfo(
        "The page carried a 'noai' directive asking not to be used for AI training.",
        TDM_OPTOUT,
    ),
    "optout.content_usage": ReasonInfo(
        "The publisher's content-usage preference excludes AI training.", TDM_OPTOUT
    ),
    "optout.robots": ReasonInfo(
        "The site's robots.txt disallowed our crawler for this page.", TDM_OPTOUT
    ),
    "source.gate_exceeded": ReasonInfo(
        "More of this source's records were disqualifying (sensitive personal data, secrets) "
        "than the policy's threshold (5% by default, TC260's figure), so the whole source was "
        "not used.",
        SOURCE_RULES,
    ),
    "source.missing_evidence": ReasonInfo(
        "The source lacks the evidence its type requires (license, contract, collection "
        "record or user authorisation), so it was not used.",
        SOURCE_RULES,
    ),
    "read.warc_malformed_record": ReasonInfo(
        "A web-archive (WARC) record is malformed and could not be read.", NOTHING_LOST
    ),
    "read.unsupported_content_type": ReasonInfo(
        "A web-archive record holds content of a type the pipeline does not read.", NOTHING_LOST
    ),
}
CATALOGUE.update(
    {
        str(code): ReasonInfo(f"The record could not be read: {text}", NOTHING_LOST)
        for code, text in DEAD_LETTER_DESCRIPTIONS.items()
    }
)

# Entity names follow Presidio's convention (upper case, digits, underscores).
_ENTITY_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _family(code: str) -> str | None:
    """The family pattern a code belongs to, if it has a well-formed entity suffix."""
    for pattern in (key for key in CATALOGUE if key.endswith(".*")):
        prefix = pattern[:-1]
        suffix = code[len(prefix) :]
        if fnmatchcase(code, pattern) and suffix and set(suffix) <= _ENTITY_CHARACTERS:
            return pattern
    return None


def lookup(code: str) -> ReasonInfo | None:
    """The catalogue entry for a code (exact match first, then its family)."""
    if code in CATALOGUE:
        return CATALOGUE[code]
    family = _family(code)
    return CATALOGUE[family] if family else None


def is_known_reason(code: str) -> bool:
    """True for a listed code or a family member such as `pii.redacted.EMAIL_ADDRESS`."""
    return lookup(code) is not None


def explain(code: str) -> str:
    """A sentence a privacy officer can read, naming the entity type for family codes."""
    info = lookup(code)
    if info is None:
        return f"Unknown reason code '{code}': not in the catalogue (schemas/reason_codes.py)."
    family = _family(code) if code not in CATALOGUE else None
    if family:
        entity = code[len(family) - 1 :].replace("_", " ").lower()
        return f"{info.explanation} Type: {entity}."
    return info.explanation


def regulation(code: str) -> str:
    """The regulation or principle a code serves, or "" when the code is unknown."""
    info = lookup(code)
    return info.serves if info else ""


def known_codes() -> list[str]:
    """Every catalogued code and family pattern, sorted."""
    return sorted(CATALOGUE)

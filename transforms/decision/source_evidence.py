"""Source evidence by source type: what a source must document before its data is used.

TC260's generative-AI security requirements ask, per source type, for a license
(open source), collection records (self-collected, crawled), a contract
(commercial) or an authorisation (user input); GDPR Art. 6 asks for a legal basis
whenever personal data may be inside. The model parses leniently (every field
optional) so that *all* gaps are reported at once, each with a fix hint, instead
of failing on the first.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class SourceType(StrEnum):
    OPEN_SOURCE = "open_source"
    SELF_COLLECTED = "self_collected"
    WEB_CRAWL = "web_crawl"
    COMMERCIAL = "commercial"
    USER_INPUT = "user_input"
    SYNTHETIC = "synthetic"


class LegalBasis(StrEnum):
    """GDPR Art. 6(1) (a)-(f)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


class CollectionRecord(BaseModel):
    """How self-collected or crawled data was gathered (TC260 traceability)."""

    model_config = ConfigDict(extra="forbid")

    period_start: str | None = None
    period_end: str | None = None
    method: str | None = None
    crawler_user_agent: str | None = None
    robots_txt_honoured: bool | None = None


class SourceEvidence(BaseModel):
    """Evidence a source manifest declares; all optional here, `missing_evidence` judges.

    `extra="forbid"` so a misspelt field (`licence_url`) is reported, not ignored.
    """

    model_config = ConfigDict(extra="forbid")

    license: str | None = None
    license_url: str | None = None
    collection: CollectionRecord | None = None
    contract_ref: str | None = None
    authorisation_ref: str | None = None
    generating_model: str | None = None
    legal_basis: LegalBasis | None = None
    legitimate_interests_assessment_ref: str | None = None
    jurisdiction: str | None = None


_HINTS: dict[str, str] = {
    "license": "set evidence.license to the SPDX id of the corpus license (e.g. CC-BY-4.0)",
    "license_url": "set evidence.license_url to where the license text was obtained",
    "collection": "add evidence.collection with period_start, period_end, method, "
    "crawler_user_agent and robots_txt_honoured",
    "collection.period_start": "set evidence.collection.period_start (ISO date collection began)",
    "collection.period_end": "set evidence.collection.period_end (ISO date collection ended)",
    "collection.method": "set evidence.collection.method (e.g. 'web crawl', 'survey', 'API')",
    "collection.crawler_user_agent": "set evidence.collection.crawler_user_agent to the "
    "User-Agent the crawler sent",
    "collection.robots_txt_honoured": "set evidence.collection.robots_txt_honoured to true or "
    "false (state what the crawler did)",
    "contract_ref": "set evidence.contract_ref to the contract or purchase order reference",
    "authorisation_ref": "set evidence.authorisation_ref to the consent/authorisation "
    "mechanism (e.g. terms version and consent registry)",
    "generating_model": "set evidence.generating_model to the model (and version) that "
    "generated the data",
    "legal_basis": "set evidence.legal_basis to one of " + ", ".join(b.value for b in LegalBasis),
    "legitimate_interests_assessment_ref": "legitimate_interests needs "
    "evidence.legitimate_interests_assessment_ref (the balancing test document)",
    "jurisdiction": "set evidence.jurisdiction to the ISO 3166 code(s) the data comes from "
    "(e.g. CN, EU, US)",
}

# The first three apply to all collected data, the last two to crawls only.
_COLLECTION_FIELDS = (
    "period_start",
    "period_end",
    "method",
    "crawler_user_agent",
    "robots_txt_honoured",
)


def missing_evidence(source_type: SourceType | str, evidence: SourceEvidence) -> list[str]:
    """`"field: hint"` for every missing piece of evidence; empty when complete.

    Crawler user agent and robots_txt_honoured are asked of web crawls only:
    self-collected data (surveys, sensors) has neither; a self-collecting
    crawler should be declared `web_crawl`. An
    unknown source type is itself reported, as it cannot be judged.
    """
    try:
        kind = SourceType(source_type)
    except ValueError:
        allowed = ", ".join(t.value for t in SourceType)
        return [f"source_type: {source_type!r} is not a known source type; use one of {allowed}"]
    missing = [name for name in _required_by_type(kind, evidence) if _is_blank(evidence, name)]
    if evidence.legal_basis is None:
        missing.append("legal_basis")
    elif evidence.legal_basis is LegalBasis.LEGITIMATE_INTERESTS and _is_blank(
        evidence, "legitimate_interests_assessment_ref"
    ):
        missing.append("legitimate_interests_assessment_ref")
    if _is_blank(evidence, "jurisdiction"):
        missing.append("jurisdiction")
    return [f"{name}: {_HINTS[name]}" for name in missing]


def _required_by_type(kind: SourceType, evidence: SourceEvidence) -> list[str]:
    if kind is SourceType.OPEN_SOURCE:
        return ["license", "license_url"]
    if kind in (SourceType.SELF_COLLECTED, SourceType.WEB_CRAWL):
        if evidence.collection is None:
            return ["collection"]
        fields = _COLLECTION_FIELDS if kind is SourceType.WEB_CRAWL else _COLLECTION_FIELDS[:3]
        return [f"collection.{name}" for name in fields]
    if kind is SourceType.COMMERCIAL:
        return ["contract_ref"]
    if kind is SourceType.USER_INPUT:
        return ["authorisation_ref"]
    return ["generating_model"]


def _is_blank(evidence: SourceEvidence, dotted: str) -> bool:
    value: object = evidence
    for part in dotted.split("."):
        value = getattr(value, part, None)
        if value is None:
            return True
    return isinstance(value, str) and not value.strip()

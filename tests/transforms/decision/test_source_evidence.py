"""Specification of per-source-type evidence checks (TC260 traceability, GDPR Art. 6)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from transforms.decision.source_evidence import CollectionRecord, SourceEvidence, missing_evidence

BASIS = {"legal_basis": "legitimate_interests", "legitimate_interests_assessment_ref": "LIA-7"}


def names(problems: list[str]) -> list[str]:
    return [problem.split(":", 1)[0] for problem in problems]


def test_open_source_needs_license_and_its_url():
    evidence = SourceEvidence(license="CC-BY-4.0", jurisdiction="EU", **BASIS)
    assert names(missing_evidence("open_source", evidence)) == ["license_url"]


def test_complete_open_source_evidence_has_no_gaps():
    evidence = SourceEvidence(
        license="MIT", license_url="https://x.org/LICENSE", jurisdiction="US", **BASIS
    )
    assert missing_evidence("open_source", evidence) == []


def test_web_crawl_without_collection_record_names_the_record_and_hints_its_fields():
    problems = missing_evidence("web_crawl", SourceEvidence(jurisdiction="CN", **BASIS))
    assert names(problems) == ["collection"]
    assert "robots_txt_honoured" in problems[0]


def test_web_crawl_collection_record_needs_user_agent_and_robots_statement():
    collection = CollectionRecord(
        period_start="2024-01-01", period_end="2024-02-01", method="crawl"
    )
    evidence = SourceEvidence(collection=collection, jurisdiction="CN", **BASIS)
    assert names(missing_evidence("web_crawl", evidence)) == [
        "collection.crawler_user_agent",
        "collection.robots_txt_honoured",
    ]


def test_robots_txt_honoured_false_is_evidence_not_a_gap():
    collection = CollectionRecord(
        period_start="2024-01-01",
        period_end="2024-02-01",
        method="crawl",
        crawler_user_agent="ExampleBot/1.0",
        robots_txt_honoured=False,
    )
    evidence = SourceEvidence(collection=collection, jurisdiction="CN", **BASIS)
    assert missing_evidence("web_crawl", evidence) == []


def test_self_collected_needs_period_and_method_but_no_crawler():
    collection = CollectionRecord(period_start="2024-01-01", method="survey")
    evidence = SourceEvidence(collection=collection, jurisdiction="CN", **BASIS)
    assert names(missing_evidence("self_collected", evidence)) == ["collection.period_end"]


@pytest.mark.parametrize(
    ("source_type", "field"),
    [
        ("commercial", "contract_ref"),
        ("user_input", "authorisation_ref"),
        ("synthetic", "generating_model"),
    ],
)
def test_each_source_type_names_its_own_evidence(source_type, field):
    evidence = SourceEvidence(jurisdiction="EU", **BASIS)
    assert names(missing_evidence(source_type, evidence)) == [field]


def test_legal_basis_and_jurisdiction_are_required_for_every_type():
    evidence = SourceEvidence(contract_ref="PO-1")
    assert names(missing_evidence("commercial", evidence)) == ["legal_basis", "jurisdiction"]


def test_legitimate_interests_needs_an_assessment_reference():
    evidence = SourceEvidence(
        contract_ref="PO-1", legal_basis="legitimate_interests", jurisdiction="EU"
    )
    assert names(missing_evidence("commercial", evidence)) == [
        "legitimate_interests_assessment_ref"
    ]


def test_blank_strings_count_as_missing():
    evidence = SourceEvidence(contract_ref="  ", legal_basis="contract", jurisdiction="EU")
    assert names(missing_evidence("commercial", evidence)) == ["contract_ref"]


def test_unknown_source_type_is_reported_not_raised():
    assert names(missing_evidence("scraped", SourceEvidence())) == ["source_type"]


def test_misspelt_evidence_field_is_rejected_at_parse_time():
    with pytest.raises(ValidationError, match="licence_url"):
        SourceEvidence.model_validate({"licence_url": "https://x.org"})


def test_unknown_legal_basis_is_rejected_at_parse_time():
    with pytest.raises(ValidationError, match="legal_basis"):
        SourceEvidence.model_validate({"legal_basis": "because"})

"""No raw personal value escapes: not what Presidio found, not a registry identifier.

Every file under the output directory is searched: Parquet files decoded row by
row (their bytes are compressed), everything else as text.
"""

from __future__ import annotations

import csv
import json
import os

import pyarrow.parquet as pq
import pytest

from pipelines.run.config import load_config
from pipelines.run.graph import read_specs
from schemas.document import Document
from tests.conftest import DEMO_CONFIG, REPO
from transforms.read.stage import expand_patterns, plan_units, read_unit


def demo_documents() -> list[Document]:
    config = load_config(DEMO_CONFIG, output_override="unused")
    documents = []
    for spec, patterns in read_specs(config):
        for file in expand_patterns((spec, patterns)):
            for unit in plan_units(file):
                documents += [item for item in read_unit(unit) if isinstance(item, Document)]
    return documents


@pytest.fixture(scope="module")
def found_values() -> set[str]:
    """Every value the PII engine finds in the demo inputs, with the demo policy's settings."""
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    from transforms.pii.engine import PiiEngine

    config = load_config(DEMO_CONFIG, output_override="unused")
    engine = PiiEngine(config.policy.pii)
    key = config.key_source.load()
    values = set()
    for document in demo_documents():
        for finding in engine.scan(document.text, key):
            values.add(document.text[finding.start : finding.end])
    return values


@pytest.fixture(scope="module")
def registry_identifiers() -> set[str]:
    with open(REPO / "configs" / "demo-consent.csv", encoding="utf-8") as handle:
        return {row["subject_id"] for row in csv.DictReader(handle)}


def output_texts(root) -> dict[str, str]:
    texts = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            rows = pq.read_table(path).to_pylist()
            texts[str(path)] = json.dumps(rows, default=str, ensure_ascii=False)
        else:
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    return texts


def test_the_demo_has_personal_values_to_look_for(found_values):
    kinds = {"@" in v for v in found_values}
    assert True in kinds and len(found_values) >= 10


def test_no_found_value_appears_in_any_output_file(demo_run, found_values):
    leaks = [
        (path, value)
        for path, text in output_texts(demo_run).items()
        for value in found_values
        if value in text
    ]
    assert not leaks, leaks[:5]


def test_no_registry_identifier_appears_in_any_output_file(demo_run, registry_identifiers):
    leaks = [
        (path, identifier)
        for path, text in output_texts(demo_run).items()
        for identifier in registry_identifiers
        if identifier in text
    ]
    assert not leaks, leaks[:5]

"""Croissant 1.0 + RAI metadata for dataset/, derived from the one pyarrow schema."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.reports.croissant import CONFORMS_TO, croissant_metadata, croissant_type
from schemas.dataset import DATASET_SCHEMA
from tests.pipelines.reports.test_audit_report import (
    EMPTY_SUMMARY,
    FULL_SUMMARY,
    MANIFEST,
    MINIMAL_SUMMARY,
)

DATASET_FILES = [o for o in MANIFEST["outputs"] if o["path"].startswith("dataset/")]
RAI_FIELDS = [
    "rai:dataCollection",
    "rai:dataCollectionType",
    "rai:personalSensitiveInformation",
    "rai:dataPreprocessingProtocol",
    "rai:dataLimitations",
    "rai:dataBiases",
]


@pytest.fixture(
    params=[FULL_SUMMARY, MINIMAL_SUMMARY, EMPTY_SUMMARY], ids=["full", "minimal", "empty"]
)
def metadata(request) -> dict:
    return croissant_metadata(request.param, MANIFEST, DATASET_SCHEMA, DATASET_FILES)


def test_context_is_croissant_with_rai_namespace(metadata):
    context = metadata["@context"]
    assert context["cr"] == "http://mlcommons.org/croissant/"
    assert context["rai"] == "http://mlcommons.org/croissant/RAI/"
    assert context["@vocab"] == "https://schema.org/"
    assert metadata["conformsTo"] == CONFORMS_TO
    assert metadata["@type"] == "sc:Dataset"


def test_every_parquet_file_is_a_file_object_with_its_sha256(metadata):
    objects = [d for d in metadata["distribution"] if d["@type"] == "cr:FileObject"]
    assert [(o["contentUrl"], o["sha256"]) for o in objects] == [
        (f["path"], f["sha256"]) for f in DATASET_FILES
    ]
    assert all(o["encodingFormat"] == "application/x-parquet" for o in objects)
    assert not any("://" in o["contentUrl"] for o in objects)


def test_fields_follow_the_pyarrow_schema(metadata):
    fields = {f["name"]: f for f in metadata["recordSet"][0]["field"]}
    scalar = [f.name for f in DATASET_SCHEMA if not pa.types.is_map(f.type)]
    assert list(fields) == scalar
    assert fields["text"]["dataType"] == "sc:Text"
    assert fields["redacted"]["dataType"] == "sc:Boolean"
    assert fields["doc_id"]["source"]["extract"] == {"column": "doc_id"}
    assert "metadata" in metadata["recordSet"][0]["description"]


@pytest.mark.parametrize(
    ("arrow_type", "expected"),
    [
        (pa.string(), "sc:Text"),
        (pa.int64(), "sc:Integer"),
        (pa.int32(), "sc:Integer"),
        (pa.bool_(), "sc:Boolean"),
        (pa.float64(), "sc:Float"),
        (pa.timestamp("s"), "sc:DateTime"),
        (pa.date32(), "sc:Date"),
    ],
)
def test_pyarrow_types_map_to_schema_org_types(arrow_type, expected):
    assert croissant_type(arrow_type) == expected


def test_list_columns_are_repeated_fields():
    schema = pa.schema(
        [pa.field("doc_id", pa.string()), pa.field("reasons", pa.list_(pa.string()))]
    )
    metadata = croissant_metadata(FULL_SUMMARY, MANIFEST, schema, DATASET_FILES)
    reasons = metadata["recordSet"][0]["field"][1]
    assert reasons["repeated"] is True and reasons["dataType"] == "sc:Text"


def test_rai_fields_are_filled_from_the_run(metadata):
    for name in RAI_FIELDS:
        assert metadata[name]


def test_rai_text_reflects_personal_data_handling():
    metadata = croissant_metadata(FULL_SUMMARY, MANIFEST, DATASET_SCHEMA, DATASET_FILES)
    assert "EMAIL_ADDRESS: 3" in metadata["rai:personalSensitiveInformation"]
    assert metadata["rai:dataCollectionType"] == ["User-generated content data", "Web Scraping"]
    assert "crawl" in metadata["rai:dataLimitations"]  # excluded by the gate
    minimal = croissant_metadata(MINIMAL_SUMMARY, MANIFEST, DATASET_SCHEMA, DATASET_FILES)
    assert "not run" in minimal["rai:personalSensitiveInformation"]


def test_metadata_is_json_serialisable_without_email_shaped_strings(metadata):
    assert "@example.org" not in json.dumps(metadata)


def test_mlcroissant_loads_metadata_and_reads_records(tmp_path):
    """The reference implementation validates the JSON-LD and reads the Parquet through it."""
    mlc = pytest.importorskip("mlcroissant")
    table = pa.Table.from_pylist(
        [
            {
                "doc_id": f"d{i}",
                "source_id": "forum",
                "source_type": "user_input",
                "locator": f"a.jsonl:L{i}",
                "text": "hello",
                "text_sha256": "0" * 64,
                "content_sha256": "1" * 64,
                "declared_license": "MIT",
                "legal_basis": "consent",
                "decision": "accept",
                "redacted": False,
                "license_spdx": None,
                "license_category": None,
                "attribution_required": None,
                "share_alike": None,
                "license_conflict": None,
                "consent_status": "granted",
                "cluster_id": None,
                "metadata": [("k", "v")],
            }
            for i in range(3)
        ],
        schema=DATASET_SCHEMA,
    )
    (tmp_path / "dataset").mkdir()
    files = []
    for part in range(2):
        path = tmp_path / "dataset" / f"part-{part}.parquet"
        pq.write_table(table, path)
        files.append({"path": f"dataset/part-{part}.parquet", "sha256": "f" * 64})
    document = tmp_path / "croissant.json"
    document.write_text(
        json.dumps(croissant_metadata(FULL_SUMMARY, MANIFEST, DATASET_SCHEMA, files))
    )
    dataset = mlc.Dataset(jsonld=str(document))
    records = list(dataset.records("documents"))
    assert len(records) == 6
    assert records[0]["documents/source_id"] == b"forum"


def test_license_lists_declared_licenses_of_contributing_sources():
    metadata = croissant_metadata(FULL_SUMMARY, MANIFEST, DATASET_SCHEMA, DATASET_FILES)
    # crawl contributed but declared no license; an unused source would not be listed.
    assert metadata["license"] == ["LicenseRef-forum-terms", "NOASSERTION"]

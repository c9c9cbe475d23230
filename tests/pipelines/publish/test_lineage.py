"""OpenLineage events of a run: inputs per source, outputs with schemas, column lineage, facets.

openlineage-python ships no spec JSON files, and tests must not fetch one, so
`RUN_EVENT_SCHEMA` below is a transcription of the parts of the OpenLineage 2-0-2
RunEvent spec (and the facets used here) that these events rely on: required keys,
types and enums. It is a specification of what we emit, not the official schema file.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

import jsonschema
import pytest
from openlineage.client.serde import Serde
from pydantic import ValidationError

from pipelines.publish.lineage import LineageEmitter, LineageSettings, dataset_address
from pipelines.run.config import RunConfig
from schemas.ledger import LEDGER_SCHEMA
from tests.pipelines.reports.test_audit_report import (
    EMPTY_SUMMARY,
    FULL_SUMMARY,
    MANIFEST,
    MINIMAL_SUMMARY,
)

FACET = {
    "type": "object",
    "required": ["_producer", "_schemaURL"],
    "properties": {
        "_producer": {"type": "string", "format": "uri", "minLength": 1},
        "_schemaURL": {"type": "string", "format": "uri", "minLength": 1},
    },
}
SCHEMA_FIELD = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string"},
        "type": {"type": "string"},
        "fields": {"type": "array", "items": {"$ref": "#/$defs/field"}},
    },
}
DATASET = {
    "type": "object",
    "required": ["namespace", "name"],
    "properties": {
        "namespace": {"type": "string"},
        "name": {"type": "string"},
        "facets": {
            "type": "object",
            "additionalProperties": FACET,
            "properties": {
                "schema": {
                    "type": "object",
                    "required": ["fields"],
                    "properties": {"fields": {"type": "array", "items": {"$ref": "#/$defs/field"}}},
                },
                "dataSource": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "uri": {"type": "string", "format": "uri"},
                    },
                },
                "columnLineage": {
                    "type": "object",
                    "required": ["fields"],
                    "properties": {
                        "fields": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "object",
                                "required": ["inputFields"],
                                "properties": {
                                    "inputFields": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["namespace", "name", "field"],
                                            "properties": {
                                                "transformations": {
                                                    "type": "array",
                                                    "items": {
                                                        "type": "object",
                                                        "required": ["type"],
                                                        "properties": {
                                                            "type": {"type": "string"},
                                                            "subtype": {"type": "string"},
                                                            "masking": {"type": "boolean"},
                                                        },
                                                    },
                                                }
                                            },
                                        },
                                    }
                                },
                            },
                        }
                    },
                },
                "dataQualityAssertions": {
                    "type": "object",
                    "required": ["assertions"],
                    "properties": {
                        "assertions": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["assertion", "success"],
                                "properties": {
                                    "assertion": {"type": "string"},
                                    "success": {"type": "boolean"},
                                },
                            },
                        }
                    },
                },
            },
        },
    },
}
RUN_EVENT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {"field": SCHEMA_FIELD},
    "type": "object",
    "required": ["eventTime", "producer", "schemaURL", "run", "job"],
    "properties": {
        "eventType": {"enum": ["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"]},
        "eventTime": {"type": "string", "format": "date-time"},
        "producer": {"type": "string", "format": "uri"},
        "schemaURL": {"type": "string", "format": "uri"},
        "run": {
            "type": "object",
            "required": ["runId"],
            "properties": {
                "runId": {"type": "string", "format": "uuid"},
                "facets": {"type": "object", "additionalProperties": FACET},
            },
        },
        "job": {
            "type": "object",
            "required": ["namespace", "name"],
            "properties": {
                "namespace": {"type": "string"},
                "name": {"type": "string"},
                "facets": {"type": "object", "additionalProperties": FACET},
            },
        },
        "inputs": {"type": "array", "items": DATASET},
        "outputs": {"type": "array", "items": DATASET},
    },
}
RUN_ID = MANIFEST["run_id"]


@pytest.fixture
def config(tmp_path):
    """A validated RunConfig: one local and one cloud source, output under tmp_path."""
    return RunConfig.model_validate({
        "name": "demo", "policy": "policy.yaml", "output": str(tmp_path / "out"),
        "hmac_key": {"env": "PROVENANCE_HMAC_KEY"},
        "sources": [
            {"id": "forum", "type": "user_input", "format": "jsonl", "legal_basis": "consent",
             "paths": ["/data/forum/*.jsonl.gz"],
             "fields": {"text": "body", "metadata": ["author_id"]}},
            {"id": "crawl", "type": "web_crawl", "format": "jsonl",
             "legal_basis": "legitimate_interests",
             "paths": ["gs://corpus-bucket/crawl/2026/*.jsonl"]},
        ],
    })  # fmt: skip


def as_json(event) -> dict:
    return json.loads(Serde.to_json(event))


def validate(event) -> dict:
    payload = as_json(event)
    jsonschema.validate(
        payload, RUN_EVENT_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    uuid.UUID(payload["run"]["runId"])
    return payload


@pytest.mark.parametrize(
    "summary",
    [FULL_SUMMARY, MINIMAL_SUMMARY, EMPTY_SUMMARY, None],
    ids=["full", "minimal", "empty", "none"],
)
def test_start_complete_and_fail_events_match_the_spec(config, summary):
    emitter = LineageEmitter(config)
    assert validate(emitter.start(RUN_ID))["eventType"] == "START"
    assert validate(emitter.complete(RUN_ID, summary, MANIFEST))["eventType"] == "COMPLETE"
    assert validate(emitter.fail(RUN_ID, "reconciliation failed"))["eventType"] == "FAIL"


def test_events_of_one_run_share_a_stable_uuid(config):
    emitter = LineageEmitter(config)
    ids = {as_json(e)["run"]["runId"] for e in (emitter.start(RUN_ID), emitter.fail(RUN_ID, "x"))}
    assert len(ids) == 1
    assert as_json(emitter.start(RUN_ID))["run"]["facets"]["provenance"]["runId"] == RUN_ID


def test_job_is_named_after_the_run_config(config):
    job = as_json(LineageEmitter(config, LineageSettings(namespace="ml-data")).start(RUN_ID))["job"]
    assert job == {"namespace": "ml-data", "name": "demo", "facets": job.get("facets", {})}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("gs://bucket/a/b", ("gs://bucket", "a/b")),
        ("s3://b/k", ("s3://b", "k")),
        ("/data/forum", ("file", "/data/forum")),
        ("file:///data/x", ("file", "/data/x")),
    ],
)
def test_dataset_namespace_comes_from_the_path_scheme(path, expected):
    assert dataset_address(path) == expected


def test_inputs_are_one_dataset_per_source_with_datasource_and_schema(config):
    inputs = as_json(LineageEmitter(config).start(RUN_ID))["inputs"]
    assert [(i["namespace"], i["name"]) for i in inputs] == [
        ("file", "/data/forum"),
        ("gs://corpus-bucket", "crawl/2026"),
    ]
    assert inputs[0]["facets"]["dataSource"]["name"] == "forum"
    assert [f["name"] for f in inputs[0]["facets"]["schema"]["fields"]] == ["body", "author_id"]


def test_outputs_carry_the_pyarrow_schemas(config):
    outputs = as_json(LineageEmitter(config).complete(RUN_ID, FULL_SUMMARY, MANIFEST))["outputs"]
    assert [o["name"].rsplit("/", 1)[1] for o in outputs] == ["dataset", "ledger", "dead_letter"]
    ledger_fields = [f["name"] for f in outputs[1]["facets"]["schema"]["fields"]]
    assert ledger_fields == LEDGER_SCHEMA.names
    signals = next(f for f in outputs[1]["facets"]["schema"]["fields"] if f["name"] == "signals")
    assert [f["name"] for f in signals["fields"]] == ["code", "action", "stage", "detail"]


def test_text_column_lineage_is_masked_only_where_redaction_happened(config):
    outputs = as_json(LineageEmitter(config).complete(RUN_ID, FULL_SUMMARY, MANIFEST))["outputs"]
    text = outputs[0]["facets"]["columnLineage"]["fields"]["text"]["inputFields"]
    masking = {(f["name"], f["field"]): f["transformations"][0]["masking"] for f in text}
    assert masking == {("/data/forum", "body"): True, ("crawl/2026", "text"): False}
    assert {t["type"] for f in text for t in f["transformations"]} == {"DIRECT"}
    assert {t["subtype"] for f in text for t in f["transformations"]} == {"TRANSFORMATION"}


def test_validation_results_become_data_quality_assertions_on_the_checked_output(config):
    outputs = as_json(LineageEmitter(config).complete(RUN_ID, FULL_SUMMARY, MANIFEST))["outputs"]
    ledger = outputs[1]["facets"]["dataQualityAssertions"]["assertions"]
    summaries = [{k: a[k] for k in ("assertion", "name", "success")} for a in ledger]
    assert summaries == [
        {"assertion": "expectation_suite", "name": "ledger", "success": False},
        {
            "assertion": "expectation",
            "name": "reason codes come from the known set",
            "success": False,
        },
    ]
    assert ledger[0]["description"] == "ledger/part-00000-of-00001.parquet"
    assert "dataQualityAssertions" not in outputs[2]["facets"]


def test_custom_run_facets_carry_counts_only(config):
    facets = as_json(LineageEmitter(config).complete(RUN_ID, FULL_SUMMARY, MANIFEST))["run"][
        "facets"
    ]
    assert facets["provenance_consent"]["status"]["withdrawn"] == 1
    assert facets["provenance_optout"]["signals"] == {"optout.tdm_reservation": 1}
    assert facets["provenance_pii"]["redacted"] == {"EMAIL_ADDRESS": 3}
    assert facets["provenance"]["policyVersion"] == "2026.11.1"
    minimal = as_json(LineageEmitter(config).complete(RUN_ID, MINIMAL_SUMMARY, MANIFEST))
    assert "provenance_pii" not in minimal["run"]["facets"]


def test_fail_event_carries_the_error_message(config):
    facets = as_json(LineageEmitter(config).fail(RUN_ID, "nothing published"))["run"]["facets"]
    assert facets["errorMessage"]["message"] == "nothing published"


def test_file_transport_appends_one_json_event_per_line(config, tmp_path):
    emitter = LineageEmitter(config)
    for event in (emitter.start(RUN_ID), emitter.complete(RUN_ID, FULL_SUMMARY, MANIFEST)):
        emitter.emit(event)
    lines = (tmp_path / "out" / "reports" / "openlineage.jsonl").read_text().splitlines()
    assert [json.loads(line)["eventType"] for line in lines] == ["START", "COMPLETE"]


def test_http_settings_require_a_url():
    with pytest.raises(ValidationError, match="lineage.url"):
        LineageSettings(transport="http")


def test_http_transport_posts_events_to_the_configured_endpoint(config):
    """Against a stub server on 127.0.0.1 only."""
    received: list[tuple[str, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, json.loads(body)))
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings = LineageSettings(transport="http", url=f"http://127.0.0.1:{server.server_port}")
        emitter = LineageEmitter(config, settings)
        emitter.emit(emitter.start(RUN_ID))
    finally:
        server.shutdown()
        server.server_close()
    assert [(path, body["eventType"]) for path, body in received] == [("/api/v1/lineage", "START")]


def test_every_facet_names_this_pipeline_as_its_producer(config):
    settings = LineageSettings(producer="urn:example:producer")
    event = as_json(LineageEmitter(config, settings).complete(RUN_ID, FULL_SUMMARY, MANIFEST))
    facets = [*event["run"]["facets"].values()]
    facets += [f for d in event["inputs"] + event["outputs"] for f in d["facets"].values()]
    assert {f["_producer"] for f in facets} == {"urn:example:producer"}
    assert event["producer"] == "urn:example:producer"


def test_start_event_claims_no_column_lineage_before_the_run_is_known(config):
    outputs = as_json(LineageEmitter(config).start(RUN_ID))["outputs"]
    assert all("columnLineage" not in o["facets"] for o in outputs)

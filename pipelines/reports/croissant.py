"""Croissant 1.0 metadata (JSON-LD, with the Responsible-AI extension) for the published dataset.

Croissant lets dataset catalogues and loaders (Hugging Face, Kaggle, TFDS, `mlcroissant`)
read what the files are and how to load them; the RAI fields carry the provenance story
(how the data was collected, what personal data handling and preprocessing were applied)
next to the data instead of in a separate document. Everything is derived from the run's
summary, manifest and the one pyarrow schema in `schemas/`, so it cannot drift from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from pipelines.reports.audit_report import NOT_RUN
from pipelines.reports.masking import mask_emails
from schemas.run_summary import RunSummary

CROISSANT_CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
PARQUET = "application/x-parquet"
RECORD_SET_ID = "documents"


def croissant_type(arrow_type: pa.DataType) -> str:
    """The schema.org data type for a pyarrow type (maps and structs fall back to text)."""
    if pa.types.is_boolean(arrow_type):
        return "sc:Boolean"
    if pa.types.is_integer(arrow_type):
        return "sc:Integer"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "sc:Float"
    if pa.types.is_timestamp(arrow_type):
        return "sc:DateTime"
    if pa.types.is_date(arrow_type):
        return "sc:Date"
    return "sc:Text"


def _field(field: pa.Field, source: dict) -> dict:
    arrow_type = field.type
    description = f"Parquet column `{field.name}` ({arrow_type})."
    entry: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{RECORD_SET_ID}/{field.name}",
        "name": field.name,
        "description": description,
        "source": {**source, "extract": {"column": field.name}},
    }
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        entry["dataType"] = croissant_type(arrow_type.value_type)
        entry["repeated"] = True
    else:
        entry["dataType"] = croissant_type(arrow_type)
    return entry


def _is_nested(arrow_type: pa.DataType) -> bool:
    """Maps and structs have no Croissant 1.0 scalar type; loaders cannot cast them as text."""
    return pa.types.is_map(arrow_type) or pa.types.is_struct(arrow_type)


def _distribution(dataset_files: list[dict]) -> tuple[list[dict], dict]:
    """One cr:FileObject per Parquet file (with sha256) and the source the fields read from."""
    files = [f for f in dataset_files if str(f.get("path", "")).endswith(".parquet")]
    objects = []
    for entry in sorted(files, key=lambda f: f["path"]):
        path = str(entry["path"])
        item: dict[str, Any] = {
            "@type": "cr:FileObject",
            "@id": path,
            "name": path,
            "contentUrl": path,
            "encodingFormat": PARQUET,
            "sha256": entry.get("sha256", ""),
        }
        if entry.get("bytes") is not None:
            item["contentSize"] = f"{entry['bytes']} B"
        objects.append(item)
    if len(objects) == 1:
        return objects, {"fileObject": {"@id": objects[0]["@id"]}}
    file_set = {
        "@type": "cr:FileSet",
        "@id": "dataset-parquet-files",
        "name": "dataset-parquet-files",
        "description": "All Parquet parts of dataset/.",
        "encodingFormat": PARQUET,
        "includes": "dataset/*.parquet",
    }
    return [*objects, file_set], {"fileSet": {"@id": file_set["@id"]}}


# RAI's suggested collection types, per source type.
COLLECTION_TYPES = {
    "web_crawl": "Web Scraping",
    "user_input": "User-generated content data",
    "open_source": "Secondary Data analysis",
    "commercial": "Others (licensed third-party corpus)",
    "self_collected": "Software Collection",
    "synthetic": "Others (synthetic data)",
}


def _used_sources(summary: RunSummary) -> list[str]:
    """Sources with at least one accepted document (all sources when decisions are unknown)."""
    if not summary.sources:
        return sorted(summary.source_facts or {})
    return sorted(sid for sid, counts in summary.sources.items() if counts.accepted)


def _licenses(summary: RunSummary) -> list[str]:
    """Declared licenses of the sources that contributed; NOASSERTION where one declared none."""
    facts = summary.source_facts or {}
    declared = {
        (facts[sid].declared_license if sid in facts else "") or "NOASSERTION"
        for sid in _used_sources(summary)
    }
    return sorted(declared) or ["NOASSERTION"]


def _counts(mapping: Mapping[str, int] | None) -> str:
    if mapping is None:
        return NOT_RUN
    return ", ".join(f"{k}: {v}" for k, v in sorted(mapping.items())) or "none"


def _rai(summary: RunSummary, manifest: dict) -> dict[str, Any]:
    """RAI fields: honest, count-based text; absent stages are named as not run."""
    facts = summary.source_facts or {}
    used = [facts[sid] for sid in _used_sources(summary) if sid in facts]
    types = sorted({COLLECTION_TYPES.get(f.type, "Others") for f in used})
    types = types or ["not recorded"]
    gates = summary.gates
    excluded = (
        "not run"
        if gates is None
        else ", ".join(sorted(sid for sid, gate in gates.items() if gate.exceeded)) or "none"
    )
    pii, dedup, optout, totals = summary.pii, summary.dedup, summary.optout, summary.totals
    stages = {
        "pii": pii,
        "licenses": summary.licenses,
        "dedup": dedup,
        "consent": summary.consent,
        "optout": optout,
        "gates": gates,
    }
    policy = manifest.get("policy", {})
    described = [
        f"{mask_emails(sid)} ({fact.type}, legal basis {fact.legal_basis})"
        for sid, fact in sorted(facts.items())
    ] or [mask_emails(sid) for sid in sorted(summary.reconciliation)]
    collection = "Sources: " + ("; ".join(described) or "none recorded")
    return {
        "rai:dataCollection": f"Aggregated from configured corpora. {collection}.",
        "rai:dataCollectionType": types,
        "rai:personalSensitiveInformation": (
            "Scanned for personal data. Documents redacted per type: "
            f"{_counts(pii.redacted)}. Documents excluded per type: "
            f"{_counts(pii.rejected)}."
            if pii is not None
            else f"Personal-data scan: {NOT_RUN}."
        ),
        "rai:dataPreprocessingProtocol": [
            f"Policy {policy.get('name')} {policy.get('version')} applied to every record; "
            f"decisions: {_counts(totals.decisions)}.",
            f"Unreadable records sent to dead letter: {totals.dead_letter_rows}.",
            "Duplicates removed: "
            + (
                NOT_RUN
                if dedup is None
                else f"{dedup.exact_removed} exact, {dedup.near_removed} near."
            ),
            "Text-and-data-mining opt-outs excluded: "
            f"{_counts(None if optout is None else optout.signals)}.",
        ],
        "rai:dataLimitations": (
            "Automated detectors miss some personal data and license notices; redaction is "
            f"best effort. Sources excluded by the 5% sampling gate: {excluded}. "
            "Stages not run: "
            + (", ".join(name for name, section in stages.items() if section is None) or "none")
            + "."
        ),
        "rai:dataBiases": (
            "Not measured by this pipeline. Composition follows the configured sources "
            f"({', '.join(types)}), which over-represent their own languages and domains."
        ),
    }


def croissant_metadata(
    summary: RunSummary, manifest: dict, dataset_schema: pa.Schema, dataset_files: list[dict]
) -> dict:
    """Croissant 1.0 + RAI JSON-LD describing dataset/ (contentUrls relative to the output)."""
    distribution, source = _distribution(dataset_files)
    nested = [field.name for field in dataset_schema if _is_nested(field.type)]
    policy = manifest.get("policy", {})
    run_id = manifest.get("run_id") or summary.run_id or "unknown"
    return {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": f"provenance-dataset-{run_id}",
        "description": (
            "Training text accepted by the provenance pipeline (run "
            f"{run_id}, policy {policy.get('name')} {policy.get('version')}): each document "
            "carries its source, license and consent status; personal data redacted where "
            "the policy requires."
        ),
        "license": _licenses(summary),
        "url": "dataset/",
        "citeAs": f"Provenance-pipeline dataset, run {run_id}.",
        "version": str(policy.get("version") or "0.0.0"),
        "datePublished": manifest.get("finished_at"),
        "distribution": distribution,
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": RECORD_SET_ID,
                "name": RECORD_SET_ID,
                "description": "One record per accepted document."
                + (
                    " Nested columns left out of this description (read them with a Parquet "
                    "reader): " + ", ".join(nested) + "."
                    if nested
                    else ""
                ),
                "key": {"@id": f"{RECORD_SET_ID}/doc_id"},
                "field": [
                    _field(field, source) for field in dataset_schema if not _is_nested(field.type)
                ],
            }
        ],
        **_rai(summary, manifest),
    }

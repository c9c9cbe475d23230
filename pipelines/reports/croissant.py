"""Croissant 1.0 metadata (JSON-LD, with the Responsible-AI extension) for the published dataset.

Croissant lets dataset catalogues and loaders (Hugging Face, Kaggle, TFDS, `mlcroissant`)
read what the files are and how to load them; the RAI fields carry the provenance story
(how the data was collected, what personal data handling and preprocessing were applied)
next to the data instead of in a separate document. Everything is derived from the run's
summary, manifest and the one pyarrow schema in `schemas/`, so it cannot drift from them.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from pipelines.reports.audit_report import NOT_RUN, scrub

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


def _used_sources(summary: dict) -> list[str]:
    """Sources with at least one accepted document (all sources when decisions are unknown)."""
    facts = summary.get("source_facts") or {}
    decisions = {sid: s.get("decisions", {}) for sid, s in summary.get("sources", {}).items()}
    if not decisions:
        return sorted(facts)
    return sorted(
        sid for sid, d in decisions.items() if d.get("accept", 0) + d.get("accept_redacted", 0)
    )


def _licenses(summary: dict) -> list[str]:
    """Declared licenses of the sources that contributed; NOASSERTION where one declared none."""
    facts = summary.get("source_facts") or {}
    declared = {
        facts.get(sid, {}).get("declared_license") or "NOASSERTION"
        for sid in _used_sources(summary)
    }
    return sorted(declared) or ["NOASSERTION"]


def _counts(mapping: dict | None) -> str:
    if mapping is None:
        return NOT_RUN
    return ", ".join(f"{k}: {v}" for k, v in sorted(mapping.items())) or "none"


def _rai(summary: dict, manifest: dict) -> dict[str, Any]:
    """RAI fields: honest, count-based text; absent stages are named as not run."""
    facts = summary.get("source_facts") or {}
    used = [facts[sid] for sid in _used_sources(summary) if sid in facts]
    types = sorted({COLLECTION_TYPES.get(f.get("type", ""), "Others") for f in used})
    types = types or ["not recorded"]
    gates = summary.get("gates")
    excluded = (
        "not run"
        if gates is None
        else ", ".join(sorted(sid for sid, gate in gates.items() if gate.get("exceeded"))) or "none"
    )
    pii = summary.get("pii")
    dedup = summary.get("dedup")
    optout = summary.get("optout")
    totals = summary.get("totals", {})
    policy = manifest.get("policy", {})
    described = [
        f"{scrub(sid)} ({fact.get('type', 'unknown')}, "
        f"legal basis {fact.get('legal_basis', 'unknown')})"
        for sid, fact in sorted(facts.items())
    ] or [scrub(sid) for sid in sorted(summary.get("reconciliation", {}))]
    collection = "Sources: " + ("; ".join(described) or "none recorded")
    return {
        "rai:dataCollection": f"Aggregated from configured corpora. {collection}.",
        "rai:dataCollectionType": types,
        "rai:personalSensitiveInformation": (
            "Scanned for personal data. Documents redacted per type: "
            f"{_counts(pii and pii.get('redacted'))}. Documents excluded per type: "
            f"{_counts(pii and pii.get('rejected'))}."
            if pii is not None
            else f"Personal-data scan: {NOT_RUN}."
        ),
        "rai:dataPreprocessingProtocol": [
            f"Policy {policy.get('name')} {policy.get('version')} applied to every record; "
            f"decisions: {_counts(totals.get('decisions'))}.",
            f"Unreadable records sent to dead letter: {totals.get('dead_letter_rows', 0)}.",
            "Duplicates removed: "
            + (
                NOT_RUN
                if dedup is None
                else f"{dedup.get('exact_removed', 0)} exact, {dedup.get('near_removed', 0)} near."
            ),
            f"Text-and-data-mining opt-outs excluded: {_counts(optout and optout.get('signals'))}.",
        ],
        "rai:dataLimitations": (
            "Automated detectors miss some personal data and license notices; redaction is "
            f"best effort. Sources excluded by the 5% sampling gate: {excluded}. "
            "Stages not run: "
            + (
                ", ".join(
                    n
                    for n in ("pii", "licenses", "dedup", "consent", "optout", "gates")
                    if summary.get(n) is None
                )
                or "none"
            )
            + "."
        ),
        "rai:dataBiases": (
            "Not measured by this pipeline. Composition follows the configured sources "
            f"({', '.join(types)}), which over-represent their own languages and domains."
        ),
    }


def croissant_metadata(
    summary: dict, manifest: dict, dataset_schema: pa.Schema, dataset_files: list[dict]
) -> dict:
    """Croissant 1.0 + RAI JSON-LD describing dataset/ (contentUrls relative to the output)."""
    distribution, source = _distribution(dataset_files)
    nested = [field.name for field in dataset_schema if _is_nested(field.type)]
    policy = manifest.get("policy", {})
    run_id = manifest.get("run_id") or summary.get("run_id") or "unknown"
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

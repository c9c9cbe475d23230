"""The human- and machine-readable reports of a run, written into `reports/` before publishing.

Everything here reads the summary (counts only) and the manifest draft, so no
raw personal value can reach a report.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.reports.audit_report import audit_figures, render_audit_html
from pipelines.reports.croissant import croissant_metadata
from pipelines.reports.regulatory import china_compliance_table, eu_training_summary
from schemas.dataset import DATASET_SCHEMA
from schemas.run_summary import RunSummary

REPORT_FILES = (
    "audit.html",
    "audit.json",
    "eu_training_summary.md",
    "eu_training_summary.json",
    "china_sources.md",
    "china_sources.json",
)
CROISSANT = "croissant.json"


def _json(path: Path, payload) -> None:
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_reports(
    run_dir: Path, summary: RunSummary, manifest: dict, dataset_files: list[dict]
) -> None:
    """`dataset_files`: path, sha256 and bytes of each dataset file, as the audit pipeline's
    workers recorded them (the launcher does not read the dataset)."""
    reports = run_dir / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "audit.html").write_text(render_audit_html(summary, manifest), encoding="utf-8")
    _json(reports / "audit.json", audit_figures(summary, manifest))
    markdown, data = eu_training_summary(summary, manifest)
    (reports / "eu_training_summary.md").write_text(markdown, encoding="utf-8")
    _json(reports / "eu_training_summary.json", data)
    markdown, data = china_compliance_table(summary, manifest)
    (reports / "china_sources.md").write_text(markdown, encoding="utf-8")
    _json(reports / "china_sources.json", data)
    # Croissant resolves contentUrl relative to its own file, so it sits beside dataset/
    # (Croissant loaders do not follow "../" patterns in file sets).
    metadata = croissant_metadata(summary, manifest, DATASET_SCHEMA, dataset_files)
    _json(run_dir / CROISSANT, metadata)

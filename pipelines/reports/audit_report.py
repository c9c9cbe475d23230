"""The audit report privacy officers read: one self-contained HTML file plus its figures as JSON.

Both are pure functions of the run's summary and manifest, which hold counts and hashes
only, so no personal value can reach the report; free text that does pass through (source
evidence, file names) is still scrubbed of e-mail-shaped strings as a second line of defence.
The HTML has no scripts and no external assets so it opens from disk, offline, years later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from pipelines.reports.html_blocks import CSS, bar_chart, counts_table, escape, table
from pipelines.reports.masking import mask_emails, mask_emails_in_tree
from schemas.reason_codes import explain, is_known_reason, regulation
from schemas.run_summary import (
    ConsentFigures,
    DedupFigures,
    GateFigures,
    LicenseFigures,
    OptOutFigures,
    PiiFigures,
    ReuseFigures,
    RunSummary,
    SourceFacts,
    ValidationResults,
    as_json,
)

NOT_RUN = "not run in this pipeline version"


def _reason_rows(summary: RunSummary) -> list[dict]:
    """Reason codes across sources, largest first, each with its explanation."""
    rows: dict[str, dict] = {}
    for source in summary.sources.values():
        for decision, reasons in source.reasons.items():
            for code, count in reasons.items():
                row = rows.setdefault(code, {"code": code, "records": 0, "decisions": set()})
                row["records"] += count
                row["decisions"].add(decision)
    return [
        {
            "code": row["code"],
            "records": row["records"],
            "decisions": sorted(row["decisions"]),
            "known": is_known_reason(row["code"]),
            "explanation": explain(row["code"]),
            "serves": regulation(row["code"]),
        }
        for row in sorted(rows.values(), key=lambda r: (-r["records"], r["code"]))
    ]


def _dead_letter_rows(summary: RunSummary) -> list[dict]:
    counts: dict[str, int] = {}
    for source in summary.sources.values():
        for code, count in source.dead_letter.items():
            counts[code] = counts.get(code, 0) + count
    return [
        {"code": code, "records": n, "explanation": explain(code)}
        for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _per_source(summary: RunSummary) -> dict[str, dict]:
    reconciliation = summary.reconciliation
    ids = sorted(set(reconciliation) | set(summary.sources))
    return {
        sid: {
            **(asdict(reconciliation[sid]) if sid in reconciliation else {}),
            "decisions": dict(summary.counts_of(sid).decisions),
        }
        for sid in ids
    }


def _optional_sections(summary: RunSummary) -> dict[str, object | None]:
    """The stage sections a pipeline version may not have run, in report order."""
    return {
        "source_facts": summary.source_facts,
        "pii": summary.pii,
        "licenses": summary.licenses,
        "dedup": summary.dedup,
        "consent": summary.consent,
        "optout": summary.optout,
        "gates": summary.gates,
        "validation": summary.validation,
        "sizes": summary.sizes,
    }


def audit_figures(summary: RunSummary, manifest: dict) -> dict:
    """Every figure the HTML shows, as JSON-ready data (written as reports/audit.json)."""
    reasons = _reason_rows(summary)
    policy = manifest.get("policy", {})
    sections = _optional_sections(summary)
    figures = {
        "run": {
            "run_id": manifest.get("run_id") or summary.run_id,
            "started_at": manifest.get("started_at"),
            "finished_at": manifest.get("finished_at"),
            "runner": manifest.get("runner"),
            "policy": {key: policy.get(key) for key in ("name", "version", "sha256")},
            "config_sha256": manifest.get("config", {}).get("sha256"),
            "packages": manifest.get("packages", {}),
        },
        "content_digests": manifest.get("content_digests", {}),
        "reuse": as_json(summary.reuse),
        "outputs": [
            {**entry, "path": mask_emails(entry.get("path", ""))}
            for entry in manifest.get("outputs", [])
        ],
        "totals": as_json(summary.totals),
        "sources": _per_source(summary),
        "reasons": reasons,
        "unknown_reason_codes": [row["code"] for row in reasons if not row["known"]],
        "dead_letters": _dead_letter_rows(summary),
        **{name: as_json(section) for name, section in sections.items()},
        "sections_not_run": [name for name, section in sections.items() if section is None],
    }
    return mask_emails_in_tree(figures)


def _section(anchor: str, title: str, intro: str, body: str | None) -> str:
    content = body if body is not None else f'<p class="missing">{NOT_RUN}.</p>'
    return (
        f'<section id="{anchor}"><h2>{escape(title)}</h2>'
        f'<p class="note">{escape(intro)}</p>{content}</section>'
    )


# ---- sections -----------------------------------------------------------------------------


def _run_section(figures: dict, summary: RunSummary) -> str:
    run = figures["run"]
    rows = [
        ["Run id", run["run_id"]],
        ["Started", run["started_at"]],
        ["Finished", run["finished_at"]],
        ["Runner", run["runner"]],
        ["Policy", f"{run['policy']['name']} {run['policy']['version']}"],
        ["Policy sha256", run["policy"]["sha256"]],
        ["Config sha256", run["config_sha256"]],
    ]
    body = table(["", ""], [[k, v if v is not None else "—"] for k, v in rows])
    digests = [
        [name, d.get("rows"), d.get("sha256_sum")] for name, d in figures["content_digests"].items()
    ]
    if digests:
        body += "<h3>Content digests</h3>" + table(["output", "rows", "sha256"], digests, {1})
    if figures["outputs"]:
        body += "<h3>Published files</h3>" + table(
            ["file", "bytes", "rows", "sha256"],
            [
                [o["path"], o.get("bytes"), o.get("rows", ""), o.get("sha256")]
                for o in figures["outputs"]
            ],
            {1, 2},
        )
    return body


SOURCE_COLUMNS = {
    "read": "records_read",
    "accepted": "accept",
    "accepted (redacted)": "accept_redacted",
    "rejected": "reject",
    "dead letter": "dead_letter_rows",
}


def _sources_section(figures: dict, summary: RunSummary) -> str:
    rows = []
    for sid, figures_of_source in figures["sources"].items():
        values = {**figures_of_source, **figures_of_source["decisions"]}
        accounted = values.get("ok")
        ok = "" if accounted is None else ("yes" if accounted else "NO")
        rows.append([sid, *(values.get(key, 0) for key in SOURCE_COLUMNS.values()), ok])
    headers = ["source", *SOURCE_COLUMNS, "all accounted for"]
    totals = summary.totals.decisions
    body = bar_chart(sorted(totals.items())) + table(headers, rows, {1, 2, 3, 4, 5})
    facts: Mapping[str, SourceFacts] | None = summary.source_facts
    if facts is None:
        return body + f'<p class="missing">Source facts: {NOT_RUN}.</p>'
    fact_rows = [
        [sid, f.type, f.legal_basis, f.declared_license or "none declared",
         ", ".join(sorted(f.evidence)) or "none"]
        for sid, f in sorted(facts.items())
    ]  # fmt: skip
    return (
        body
        + "<h3>What each source is and why we may use it</h3>"
        + table(
            ["source", "type", "legal basis (GDPR Art. 6)", "declared license", "evidence on file"],
            fact_rows,
        )
    )


def _gates_section(gates: Mapping[str, GateFigures] | None) -> str | None:
    if gates is None:
        return None
    items = [(sid, float(g.rate)) for sid, g in sorted(gates.items())]
    threshold = max((float(g.threshold) for g in gates.values()), default=0.05)
    rows = [
        [
            sid,
            f"{g.rate:.1%}",
            f"{g.threshold:.0%}",
            g.disqualifying,
            g.sample_size,
            "EXCLUDED" if g.exceeded else "passed",
        ]
        for sid, g in sorted(gates.items())
    ]
    return bar_chart(items, threshold=threshold, percent=True) + table(
        ["source", "disqualifying rate", "threshold", "disqualifying", "sampled", "outcome"],
        rows,
        {3, 4},
    )


def _validation_section(validation: ValidationResults | None) -> str | None:
    if validation is None:
        return None
    ok = validation.success
    verdict = f'<p class="{"ok" if ok else "bad"}">{"All" if ok else "Some"} checks ' + (
        "passed.</p>" if ok else "failed.</p>"
    )
    rows = []
    for suite in validation.suites:
        result = "passed" if suite.success else "FAILED"
        failed = "; ".join(suite.failed)
        rows.append([suite.name, suite.file, result, failed])
    return verdict + table(["suite", "file", "result", "failed expectations"], rows)


PII_COLUMNS: dict[str, Callable[[PiiFigures], Mapping[str, int]]] = {
    "findings": lambda pii: pii.found,
    "documents with": lambda pii: pii.documents_with,
    "documents redacted": lambda pii: pii.redacted,
    "documents rejected": lambda pii: pii.rejected,
}


def _pii_section(pii: PiiFigures | None) -> str | None:
    if pii is None:
        return None
    tables = [column(pii) for column in PII_COLUMNS.values()]
    entities = sorted({entity for counts in tables for entity in counts})
    rows: list[list[Any]] = [[e, *(t.get(e, 0) for t in tables)] for e in entities]
    chart = bar_chart([(entity, pii.documents_with.get(entity, 0)) for entity in entities])
    return chart + table(["type", *PII_COLUMNS], rows, {1, 2, 3, 4})


def _licenses_section(licenses: LicenseFigures | None) -> str | None:
    if licenses is None:
        return None
    body = counts_table(licenses.categories, "category")
    body += f"<p>Documents with conflicting license evidence: {licenses.conflicts}</p>"
    spdx = sorted(licenses.spdx.items(), key=lambda i: (-i[1], i[0]))
    return (
        body
        + "<h3>SPDX expressions</h3>"
        + table(["SPDX", "documents"], [list(i) for i in spdx], {1})
    )


def _dedup_section(dedup: DedupFigures | None) -> str | None:
    if dedup is None:
        return None
    body = table(
        ["", ""],
        [
            ["Documents examined", dedup.documents],
            ["Clusters", dedup.clusters],
            ["Exact copies removed", dedup.exact_removed],
            ["Near copies removed", dedup.near_removed],
        ],
    )
    body += "<h3>Removed per source</h3>" + bar_chart(sorted(dedup.removed_per_source.items()))
    hist = dedup.cluster_size_histogram
    return (
        body
        + "<h3>Cluster sizes</h3>"
        + table(["cluster size", "clusters"], [list(i) for i in hist.items()], {1})
    )


def _reuse_section(reuse: ReuseFigures | None) -> str:
    if reuse is None:  # not a stage that did not run: the run was simply not built on one
        return "<p>This run was not built on a previous version (<code>--previous</code>).</p>"
    rows: list[list[Any]] = [
        ["Built on version", reuse.previous_run_id],
        ["Records reused (not scanned again)", reuse.reused],
        *([f"Scanned: {why.replace('_', ' ')}", n] for why, n in reuse.rescanned.items()),
        ["Records of that version whose input is gone", reuse.removed],
        ["... of them in its dataset", reuse.removed_published],
        ["Rejected then, published now", reuse.newly_accepted],
        ["Published then, rejected now", reuse.newly_rejected],
        ["New records published", reuse.new_accepted],
        ["New records rejected", reuse.new_rejected],
    ]
    return table(["", ""], rows) + (
        "<p>Decisions that changed, and why: <code>provenance diff OLD NEW</code>.</p>"
    )


def _consent_section(consent: ConsentFigures | None) -> str | None:
    if consent is None:
        return None
    body = counts_table(consent.status, "consent status")
    per_source = consent.per_source
    statuses = sorted({k for v in per_source.values() for k in v})
    if per_source:
        body += "<h3>Per source</h3>" + table(
            ["source", *statuses],
            [[sid, *(v.get(s, 0) for s in statuses)] for sid, v in sorted(per_source.items())],
            set(range(1, len(statuses) + 1)),
        )
    return body


def _optout_section(optout: OptOutFigures | None) -> str | None:
    if optout is None:
        return None
    signals = optout.signals
    return counts_table(signals, "opt-out signal") + table(
        ["signal", "meaning"], [[code, explain(code)] for code in sorted(signals)]
    )


def _reasons_section(figures: dict, summary: RunSummary) -> str:
    rows = [
        [r["code"], r["records"], ", ".join(r["decisions"]), r["explanation"], r["serves"]]
        for r in figures["reasons"]
    ]
    body = table(["code", "records", "decision", "what it means", "serves"], rows, {1})
    unknown = figures["unknown_reason_codes"]
    if unknown:
        body += f'<p class="bad">Codes missing from the catalogue: {escape(", ".join(unknown))}</p>'
    return body


def _dead_letters_section(figures: dict, summary: RunSummary) -> str:
    rows = [[d["code"], d["records"], d["explanation"]] for d in figures["dead_letters"]]
    return table(["code", "records", "what it means"], rows, {1})


# (anchor, heading, one-line explanation for the reader, builder of (figures, summary));
# None from a builder means the stage did not run.
SECTIONS = [
    ("run", "Run and manifest", "Which run this is, the exact configuration and policy used "
     "(by hash), and the hash of every output file.", _run_section),
    ("sources", "Records by source and decision", "Every record read ends in exactly one "
     "place: accepted, accepted after redaction, rejected, or dead letter (unreadable).",
     _sources_section),
    ("reuse", "Built on the previous version", "Records the previous version already scanned "
     "were not scanned again; every decision was made again under today's policy, consent "
     "registry and corpus.", lambda _, s: _reuse_section(s.reuse)),
    ("reasons", "Reason codes", "Why each decision was taken, in plain language.",
     _reasons_section),
    ("pii", "Personal data", "Types of personal data found, and in how many documents they "
     "were redacted or caused rejection. Counts only.", lambda _, s: _pii_section(s.pii)),
    ("licenses", "Licenses", "License categories seen in the documents.",
     lambda _, s: _licenses_section(s.licenses)),
    ("dedup", "Duplicates removed", "Copies removed so each text is used once; the copy with "
     "the strongest rights is kept.", lambda _, s: _dedup_section(s.dedup)),
    ("optout", "Opt-outs honoured", "Documents whose publisher reserved text-and-data-mining "
     "rights or asked not to be used for AI.", lambda _, s: _optout_section(s.optout)),
    ("consent", "Consent outcomes", "Consent status of the people behind consent-based "
     "sources.", lambda _, s: _consent_section(s.consent)),
    ("gates", "Source gates", "Each source is sampled; a source whose sampled disqualifying "
     "rate exceeds the threshold (dashed line) is not used.", lambda _, s: _gates_section(s.gates)),
    ("validation", "Validation results", "Automated data-quality checks on the written "
     "outputs.", lambda _, s: _validation_section(s.validation)),
    ("dead-letters", "Dead letters by code", "Records that could not be read; kept as hashes "
     "and reasons, never content.", _dead_letters_section),
]  # fmt: skip


def render_audit_html(summary: RunSummary, manifest: dict) -> str:
    """The privacy officer's report: what went in, what was found, what was done and why."""
    figures = audit_figures(summary, manifest)
    sections = "".join(
        _section(anchor, title, intro, build(figures, summary))
        for anchor, title, intro, build in SECTIONS
    )
    title = f"Training-data audit report — run {escape(figures['run']['run_id'] or 'unknown')}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{CSS}</style></head><body><h1>{title}</h1>"
        '<p class="note">Generated from the run\'s summary and manifest; it holds counts and '
        "hashes only, never personal data.</p>" + sections + "</body></html>\n"
    )

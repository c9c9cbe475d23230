"""The audit report privacy officers read: one self-contained HTML file plus its figures as JSON.

Both are pure functions of the run's summary and manifest, which hold counts and hashes
only, so no personal value can reach the report; free text that does pass through (source
evidence, file names) is still scrubbed of e-mail-shaped strings as a second line of defence.
The HTML has no scripts and no external assets so it opens from disk, offline, years later.
"""

from __future__ import annotations

import html
import re
from typing import Any

from schemas.reason_codes import explain, is_known_reason, regulation

NOT_RUN = "not run in this pipeline version"
OPTIONAL_SECTIONS = (
    "source_facts",
    "pii",
    "licenses",
    "dedup",
    "consent",
    "optout",
    "gates",
    "validation",
    "sizes",
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def scrub(text: Any) -> str:
    """Text safe to publish: e-mail-shaped strings replaced by a placeholder."""
    return _EMAIL.sub("<EMAIL_ADDRESS>", str(text))


def scrub_tree(value: Any) -> Any:
    """`scrub` applied to every string (keys too) of a JSON-like structure."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub_tree(key): scrub_tree(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_tree(item) for item in value]
    return value


def _reason_rows(summary: dict) -> list[dict]:
    """Reason codes across sources, largest first, each with its explanation."""
    rows: dict[str, dict] = {}
    for source in summary.get("sources", {}).values():
        for decision, reasons in source.get("reasons", {}).items():
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


def _dead_letter_rows(summary: dict) -> list[dict]:
    counts: dict[str, int] = {}
    for source in summary.get("sources", {}).values():
        for code, count in source.get("dead_letter", {}).items():
            counts[code] = counts.get(code, 0) + count
    return [
        {"code": code, "records": n, "explanation": explain(code)}
        for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _per_source(summary: dict) -> dict[str, dict]:
    reconciliation = summary.get("reconciliation", {})
    ids = sorted(set(reconciliation) | set(summary.get("sources", {})))
    return {
        sid: {
            **reconciliation.get(sid, {}),
            "decisions": summary.get("sources", {}).get(sid, {}).get("decisions", {}),
        }
        for sid in ids
    }


def audit_figures(summary: dict, manifest: dict) -> dict:
    """Every figure the HTML shows, as JSON-ready data (written as reports/audit.json)."""
    reasons = _reason_rows(summary)
    policy = manifest.get("policy", {})
    figures = {
        "run": {
            "run_id": manifest.get("run_id") or summary.get("run_id"),
            "started_at": manifest.get("started_at"),
            "finished_at": manifest.get("finished_at"),
            "runner": manifest.get("runner"),
            "policy": {key: policy.get(key) for key in ("name", "version", "sha256")},
            "config_sha256": manifest.get("config", {}).get("sha256"),
            "packages": manifest.get("packages", {}),
        },
        "content_digests": manifest.get("content_digests", {}),
        "outputs": [
            {**entry, "path": scrub(entry.get("path", ""))} for entry in manifest.get("outputs", [])
        ],
        "totals": summary.get("totals", {}),
        "sources": _per_source(summary),
        "reasons": reasons,
        "unknown_reason_codes": [row["code"] for row in reasons if not row["known"]],
        "dead_letters": _dead_letter_rows(summary),
        **{name: summary.get(name) for name in OPTIONAL_SECTIONS},
        "sections_not_run": [name for name in OPTIONAL_SECTIONS if summary.get(name) is None],
    }
    return scrub_tree(figures)


# ---- HTML building blocks ------------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1000px;margin:2em auto;
padding:0 1em;color:#1d1d1f;line-height:1.45}
h1{border-bottom:3px solid #1f4e79}h2{color:#1f4e79;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#eef3f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
p.note{color:#555;font-size:.93em}.missing{color:#8a5a00;font-style:italic}
.bad{color:#b00020;font-weight:600}.ok{color:#1b7a1b;font-weight:600}code{font-size:.95em}
"""


def _e(value: Any) -> str:
    return html.escape(scrub(value))


def _table(headers: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{_e(cell)}</td>' if i in numeric else f"<td>{_e(cell)}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def bar_chart(
    items: list[tuple[str, float]], *, threshold: float | None = None, percent: bool = False
) -> str:
    """A horizontal bar chart as inline SVG; an optional dashed line marks a threshold."""
    if not items:
        return '<p class="note">No data.</p>'
    width, label_width, row_height = 640, 230, 22
    top = max([value for _, value in items] + [threshold or 0]) or 1
    scale = (width - label_width - 70) / top
    parts = []
    for index, (label, value) in enumerate(items):
        y = index * row_height
        shown = f"{value:.1%}" if percent else f"{value:,.0f}"
        over = threshold is not None and value > threshold
        short_label = _e(str(label)[:34])
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{short_label}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{max(value * scale, 1):.1f}" '
            f'height="{row_height - 8}" fill="{"#b00020" if over else "#1f4e79"}"/>'
            f'<text x="{label_width + value * scale + 5:.1f}" y="{y + 15}">{shown}</text>'
        )
    height = len(items) * row_height + 4
    if threshold is not None:
        x = label_width + threshold * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}" stroke="#b00020" '
            f'stroke-dasharray="4 3"/>'
        )
    return (
        f'<svg role="img" width="{width}" height="{height}" '
        f'font-size="12" font-family="sans-serif">{"".join(parts)}</svg>'
    )


def _section(anchor: str, title: str, intro: str, body: str | None) -> str:
    content = body if body is not None else f'<p class="missing">{NOT_RUN}.</p>'
    return (
        f'<section id="{anchor}"><h2>{_e(title)}</h2>'
        f'<p class="note">{_e(intro)}</p>{content}</section>'
    )


def _counts_table(mapping: dict, label: str) -> str:
    items = sorted(mapping.items(), key=lambda item: (-item[1], item[0]))
    return bar_chart(items) + _table([label, "documents"], [list(i) for i in items], {1})


# ---- sections -----------------------------------------------------------------------------


def _run_section(figures: dict) -> str:
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
    body = _table(["", ""], [[k, v if v is not None else "—"] for k, v in rows])
    digests = [
        [name, d.get("rows"), d.get("sha256_sum")] for name, d in figures["content_digests"].items()
    ]
    if digests:
        body += "<h3>Content digests</h3>" + _table(["output", "rows", "sha256"], digests, {1})
    if figures["outputs"]:
        body += "<h3>Published files</h3>" + _table(
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


def _sources_section(figures: dict) -> str:
    rows = []
    for sid, figures_of_source in figures["sources"].items():
        values = {**figures_of_source, **figures_of_source["decisions"]}
        ok = {True: "yes", False: "NO"}.get(values.get("ok"), "")
        rows.append([sid, *(values.get(key, 0) for key in SOURCE_COLUMNS.values()), ok])
    headers = ["source", *SOURCE_COLUMNS, "all accounted for"]
    totals = figures["totals"].get("decisions", {})
    body = bar_chart(sorted(totals.items())) + _table(headers, rows, {1, 2, 3, 4, 5})
    facts = figures["source_facts"]
    if facts is None:
        return body + f'<p class="missing">Source facts: {NOT_RUN}.</p>'
    fact_rows = [
        [sid, f.get("type"), f.get("legal_basis"), f.get("declared_license") or "none declared",
         ", ".join(sorted(f.get("evidence") or {})) or "none"]
        for sid, f in sorted(facts.items())
    ]  # fmt: skip
    return (
        body
        + "<h3>What each source is and why we may use it</h3>"
        + _table(
            ["source", "type", "legal basis (GDPR Art. 6)", "declared license", "evidence on file"],
            fact_rows,
        )
    )


def _gates_section(gates: dict | None) -> str | None:
    if gates is None:
        return None
    items = [(sid, float(g.get("rate", 0))) for sid, g in sorted(gates.items())]
    threshold = max((float(g.get("threshold", 0.05)) for g in gates.values()), default=0.05)
    rows = [
        [
            sid,
            f"{g.get('rate', 0):.1%}",
            f"{g.get('threshold', 0.05):.0%}",
            g.get("disqualifying"),
            g.get("sample_size", g.get("records")),
            "EXCLUDED" if g.get("exceeded") else "passed",
        ]
        for sid, g in sorted(gates.items())
    ]
    return bar_chart(items, threshold=threshold, percent=True) + _table(
        ["source", "disqualifying rate", "threshold", "disqualifying", "sampled", "outcome"],
        rows,
        {3, 4},
    )


def _validation_section(validation: dict | None) -> str | None:
    if validation is None:
        return None
    ok = validation.get("success")
    verdict = f'<p class="{"ok" if ok else "bad"}">{"All" if ok else "Some"} checks ' + (
        "passed.</p>" if ok else "failed.</p>"
    )
    rows = []
    for suite in validation.get("suites", []):
        result = "passed" if suite.get("success") else "FAILED"
        failed = "; ".join(suite.get("failed", []))
        rows.append([suite.get("name"), suite.get("file", ""), result, failed])
    return verdict + _table(["suite", "file", "result", "failed expectations"], rows)


PII_COLUMNS = {
    "findings": "found",
    "documents with": "documents_with",
    "documents redacted": "redacted",
    "documents rejected": "rejected",
}


def _pii_section(pii: dict | None) -> str | None:
    if pii is None:
        return None
    tables = [pii.get(key, {}) for key in PII_COLUMNS.values()]
    rows = [[e, *(t.get(e, 0) for t in tables)] for e in sorted(set().union(*tables))]
    chart = bar_chart([(row[0], row[2]) for row in rows])
    return chart + _table(["type", *PII_COLUMNS], rows, {1, 2, 3, 4})


def _licenses_section(licenses: dict | None) -> str | None:
    if licenses is None:
        return None
    body = _counts_table(licenses.get("categories", {}), "category")
    body += f"<p>Documents with conflicting license evidence: {licenses.get('conflicts', 0)}</p>"
    spdx = sorted(licenses.get("spdx", {}).items(), key=lambda i: (-i[1], i[0]))
    return (
        body
        + "<h3>SPDX expressions</h3>"
        + _table(["SPDX", "documents"], [list(i) for i in spdx], {1})
    )


def _dedup_section(dedup: dict | None) -> str | None:
    if dedup is None:
        return None
    body = _table(
        ["", ""],
        [
            ["Documents examined", dedup.get("documents")],
            ["Clusters", dedup.get("clusters")],
            ["Exact copies removed", dedup.get("exact_removed")],
            ["Near copies removed", dedup.get("near_removed")],
        ],
    )
    body += "<h3>Removed per source</h3>" + bar_chart(
        sorted(dedup.get("removed_per_source", {}).items())
    )
    hist = dedup.get("cluster_size_histogram", {})
    return (
        body
        + "<h3>Cluster sizes</h3>"
        + _table(["cluster size", "clusters"], [list(i) for i in hist.items()], {1})
    )


def _consent_section(consent: dict | None) -> str | None:
    if consent is None:
        return None
    body = _counts_table(consent.get("status", {}), "consent status")
    per_source = consent.get("per_source", {})
    statuses = sorted({k for v in per_source.values() for k in v})
    if per_source:
        body += "<h3>Per source</h3>" + _table(
            ["source", *statuses],
            [[sid, *(v.get(s, 0) for s in statuses)] for sid, v in sorted(per_source.items())],
            set(range(1, len(statuses) + 1)),
        )
    return body


def _optout_section(optout: dict | None) -> str | None:
    if optout is None:
        return None
    signals = optout.get("signals", {})
    return _counts_table(signals, "opt-out signal") + _table(
        ["signal", "meaning"], [[code, explain(code)] for code in sorted(signals)]
    )


def _reasons_section(figures: dict) -> str:
    rows = [
        [r["code"], r["records"], ", ".join(r["decisions"]), r["explanation"], r["serves"]]
        for r in figures["reasons"]
    ]
    body = _table(["code", "records", "decision", "what it means", "serves"], rows, {1})
    unknown = figures["unknown_reason_codes"]
    if unknown:
        body += f'<p class="bad">Codes missing from the catalogue: {_e(", ".join(unknown))}</p>'
    return body


def _dead_letters_section(figures: dict) -> str:
    rows = [[d["code"], d["records"], d["explanation"]] for d in figures["dead_letters"]]
    return _table(["code", "records", "what it means"], rows, {1})


# (anchor, heading, one-line explanation for the reader, builder); None from a builder means
# the stage did not run.
SECTIONS = [
    ("run", "Run and manifest", "Which run this is, the exact configuration and policy used "
     "(by hash), and the hash of every output file.", _run_section),
    ("sources", "Records by source and decision", "Every record read ends in exactly one "
     "place: accepted, accepted after redaction, rejected, or dead letter (unreadable).",
     _sources_section),
    ("reasons", "Reason codes", "Why each decision was taken, in plain language.",
     _reasons_section),
    ("pii", "Personal data", "Types of personal data found, and in how many documents they "
     "were redacted or caused rejection. Counts only.", lambda f: _pii_section(f["pii"])),
    ("licenses", "Licenses", "License categories seen in the documents.",
     lambda f: _licenses_section(f["licenses"])),
    ("dedup", "Duplicates removed", "Copies removed so each text is used once; the copy with "
     "the strongest rights is kept.", lambda f: _dedup_section(f["dedup"])),
    ("optout", "Opt-outs honoured", "Documents whose publisher reserved text-and-data-mining "
     "rights or asked not to be used for AI.", lambda f: _optout_section(f["optout"])),
    ("consent", "Consent outcomes", "Consent status of the people behind consent-based "
     "sources.", lambda f: _consent_section(f["consent"])),
    ("gates", "Source gates", "Each source is sampled; a source whose sampled disqualifying "
     "rate exceeds the threshold (dashed line) is not used.", lambda f: _gates_section(f["gates"])),
    ("validation", "Validation results", "Automated data-quality checks on the written "
     "outputs.", lambda f: _validation_section(f["validation"])),
    ("dead-letters", "Dead letters by code", "Records that could not be read; kept as hashes "
     "and reasons, never content.", _dead_letters_section),
]  # fmt: skip


def render_audit_html(summary: dict, manifest: dict) -> str:
    """The privacy officer's report: what went in, what was found, what was done and why."""
    figures = audit_figures(summary, manifest)
    sections = "".join(
        _section(anchor, title, intro, build(figures)) for anchor, title, intro, build in SECTIONS
    )
    title = f"Training-data audit report — run {_e(figures['run']['run_id'] or 'unknown')}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{CSS}</style></head><body><h1>{title}</h1>"
        '<p class="note">Generated from the run\'s summary and manifest; it holds counts and '
        "hashes only, never personal data.</p>" + sections + "</body></html>\n"
    )

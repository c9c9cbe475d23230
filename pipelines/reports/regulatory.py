"""Drafts of the public and regulatory summaries a provider must publish or keep ready.

- `eu_training_summary`: the EU AI Act Art. 53(1)(d) "sufficiently detailed summary" of
  training content, laid out like the AI Office template (general information, list of
  data sources by kind, data processing aspects).
- `china_compliance_table`: one row per source answering the questions of China's Interim
  Measures Art. 7 and the TC260 source rules (type, evidence, legal basis, 5% gate,
  personal data, licenses).

Both are drafts from counts only: a person completes provider/model fields and signs off.
Figures that a stage did not produce are shown as "not run in this pipeline version" so a
reader never mistakes an absent check for a clean result.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

from pipelines.reports.audit_report import NOT_RUN
from pipelines.reports.masking import mask_emails
from schemas.reason_codes import (
    PII_REDACTED,
    PII_SECRET,
    PII_SENSITIVE,
    LicenseReason,
    OptOutReason,
    SourceReason,
    namespace,
)
from schemas.record import Decision
from schemas.run_summary import RunSummary, SourceFacts

GATE_THRESHOLD = 0.05

EU_SOURCE_KINDS = {
    "open_source": "publicly_available_datasets",
    "commercial": "private_licensed_datasets",
    "web_crawl": "crawled_and_scraped",
    "user_input": "user_data",
    "synthetic": "synthetic_data",
    "self_collected": "other_sources",
}
EU_KIND_TITLES = {
    "publicly_available_datasets": "2.1 Publicly available datasets",
    "private_licensed_datasets": "2.2 Private non-publicly available datasets (licensed)",
    "crawled_and_scraped": "2.3 Data crawled and scraped from online sources",
    "user_data": "2.4 User data",
    "synthetic_data": "2.5 Synthetic data",
    "other_sources": "2.6 Other sources of data (self-collected)",
    "unknown": "Sources whose type was not recorded",
}
# TC260: the evidence each source type must carry; any one key of a tuple satisfies it.
REQUIRED_EVIDENCE: dict[str, tuple[str, tuple[str, ...]]] = {
    "open_source": ("open-source license", ("license", "license_url")),
    "self_collected": ("collection record", ("collection", "collection_period", "method")),
    "web_crawl": ("collection record", ("collection", "collection_period", "method")),
    "commercial": ("contract", ("contract_ref",)),
    "user_input": ("user authorisation", ("authorisation_ref", "consent_mechanism")),
    "synthetic": ("generating model", ("generating_model",)),
}


def token_size_bin(tokens: int | None) -> str:
    """The template's size bins for text (it asks for a range, not an exact count)."""
    if tokens is None:
        return "unknown (size figures not recorded)"
    if tokens < 1_000_000_000:
        return "Less than 1 billion tokens"
    if tokens <= 10_000_000_000_000:
        return "1 billion to 10 trillion tokens"
    return "More than 10 trillion tokens"


def _tokens(summary: RunSummary) -> tuple[int | None, str]:
    if summary.sizes is None:
        return None, NOT_RUN
    return summary.sizes.dataset_tokens_estimate, "pipeline token estimate"


def top_domains(summary: RunSummary, share: float = 0.10) -> list[list[Any]]:
    """The top `share` of domains by bytes (at least one), as the template asks."""
    recorded = () if summary.sizes is None else summary.sizes.top_domains
    domains = sorted(recorded, key=lambda item: (-item[1], item[0]))
    if not domains:
        return []
    return [[mask_emails(d), n] for d, n in domains[: max(1, math.ceil(len(domains) * share))]]


def _eu_sources(summary: RunSummary) -> dict[str, list[dict]]:
    facts = summary.source_facts or {}
    bytes_per_source = {} if summary.sizes is None else summary.sizes.per_source_bytes
    kinds: dict[str, list[dict]] = {kind: [] for kind in EU_KIND_TITLES}
    for sid in summary.source_ids():
        fact = facts.get(sid)
        kind = EU_SOURCE_KINDS.get(fact.type if fact else "", "unknown")
        kinds[kind].append(
            {
                "source_id": sid,
                "type": fact.type if fact else None,
                "declared_license": (fact.declared_license if fact else "") or None,
                "documents_used": summary.counts_of(sid).accepted,
                "bytes_used": bytes_per_source.get(sid),
            }
        )
    return kinds


def _reservation_rejections(summary: RunSummary) -> dict[str, int]:
    """Rejections whose reason is a rights reservation, read from the decisions themselves."""
    counts: dict[str, int] = {}
    for source in summary.sources.values():
        for code, count in source.reasons.get(Decision.REJECT, {}).items():
            if code.startswith(namespace(OptOutReason)) or code == LicenseReason.RESERVED_TDM:
                counts[code] = counts.get(code, 0) + count
    return dict(sorted(counts.items()))


def _processing(summary: RunSummary) -> dict:
    """What was done about TDM opt-outs, illegal content and personal data (counts only)."""
    optout, pii, licenses, gates = summary.optout, summary.pii, summary.licenses, summary.gates
    return {
        "tdm_optouts_honoured": None if optout is None else dict(optout.signals),
        "reservation_rejections": _reservation_rejections(summary),
        "license_reservations": None
        if licenses is None
        else {
            "conflicting_documents": licenses.conflicts,
            "categories": dict(licenses.categories),
        },
        "personal_data": None
        if pii is None
        else {
            "documents_redacted": dict(pii.redacted),
            "documents_rejected": dict(pii.rejected),
        },
        "source_gates_excluded": None
        if gates is None
        else sorted(sid for sid, gate in gates.items() if gate.exceeded),
    }


_MARKDOWN_SYNTAX = str.maketrans({c: "\\" + c for c in "|[]`*_"})


def md_text(value: Any) -> str:
    """Free text for the Markdown drafts: e-mail-shaped strings masked, then `&`, `<` and `>`
    as HTML entities (most Markdown viewers render raw HTML, scripts included), and the
    characters that make tables, links (`[x](javascript:...)`), code or emphasis escaped
    with a backslash, so a value is always shown as the text it is."""
    return html.escape(mask_emails(value), quote=False).translate(_MARKDOWN_SYNTAX)


def _md_counts(title: str, counts: Mapping[str, int] | None, label: str) -> list[str]:
    lines = [f"**{title}**", ""]
    if counts is None:
        return lines + [f"_{NOT_RUN}_", ""]
    if not counts:
        return lines + ["None found.", ""]
    lines += [f"| {label} | documents |", "|---|---:|"]
    lines += [f"| {md_text(k)} | {v} |" for k, v in sorted(counts.items())]
    return lines + [""]


def eu_training_summary(summary: RunSummary, manifest: dict) -> tuple[str, dict]:
    """Draft of the EU AI Act Art. 53(1)(d) public training-content summary."""
    tokens, token_basis = _tokens(summary)
    domains = top_domains(summary)
    kinds = _eu_sources(summary)
    processing = _processing(summary)
    general = {
        "modality": "text",
        "size_bin": token_size_bin(tokens),
        "tokens_estimate": tokens,
        "token_basis": token_basis,
        "run_id": manifest.get("run_id") or summary.run_id,
        "run_finished_at": manifest.get("finished_at"),
        "policy": manifest.get("policy", {}).get("name"),
    }
    data = {
        "general": general,
        "sources": kinds,
        "top_domains": domains,
        "processing": processing,
    }
    md = [
        "# Public summary of training content (EU AI Act Art. 53(1)(d)) — DRAFT",
        "",
        "_Generated from pipeline counts; provider and model fields must be completed by a "
        "person._",
        "",
        "## 1. General information",
        "",
        "- Provider name and contact: _to be completed_",
        "- Model name: _to be completed_",
        "- Modality: text",
        f"- Training data size: {general['size_bin']} ({token_basis})",
        f"- Pipeline run: {general['run_id']}, finished {manifest.get('finished_at')}",
        "",
        "## 2. List of data sources",
        "",
    ]
    for kind, title in EU_KIND_TITLES.items():
        rows = kinds[kind]
        if kind == "unknown" and not rows:
            continue
        md += [f"### {title}", ""]
        if not rows:
            md += ["None used.", ""]
            continue
        md += ["| source | declared license | documents used |", "|---|---|---:|"]
        md += [
            f"| {md_text(r['source_id'])} "
            f"| {md_text(r['declared_license'] or 'none declared')} "
            f"| {r['documents_used']} |"
            for r in rows
        ]
        md.append("")
        if kind == "crawled_and_scraped":
            md += ["Top 10% of domains by size of content:", ""]
            md += (
                [f"- {md_text(d)} ({n:,} bytes)" for d, n in domains]
                if domains
                else [f"_{NOT_RUN if summary.sizes is None else 'none recorded'}_"]
            )
            md.append("")
    md += [
        "## 3. Data processing aspects",
        "",
        "### 3.1 Respect of reservations of rights (TDM opt-outs)",
        "",
        "Documents carrying a machine-readable reservation (TDMRep, `noai`, content-usage "
        "preferences, robots.txt) were excluded from training.",
        "",
    ]
    md += _md_counts("Opt-out signals honoured", processing["tdm_optouts_honoured"], "signal")
    md += _md_counts(
        "Documents rejected for a reservation (reason counts from the decisions)",
        processing["reservation_rejections"],
        "reason",
    )
    md += ["### 3.2 Removal of illegal content and personal data", ""]
    personal = processing["personal_data"]
    md += _md_counts(
        "Documents with personal data redacted", personal and personal["documents_redacted"], "type"
    )
    md += _md_counts(
        "Documents excluded for sensitive personal data or secrets",
        personal and personal["documents_rejected"],
        "type",
    )
    excluded = processing["source_gates_excluded"]
    md += [
        "**Sources excluded by the 5% sampling gate**",
        "",
        f"_{NOT_RUN}_" if excluded is None else (", ".join(excluded) or "None."),
        "",
    ]
    return "\n".join(md), data


def _evidence(sid: str, fact: SourceFacts | None, summary: RunSummary) -> dict:
    evidence = fact.evidence if fact else {}
    kind, keys = REQUIRED_EVIDENCE.get(fact.type if fact else "", ("unknown", ()))
    missing_reason = any(
        SourceReason.MISSING_EVIDENCE in reasons
        for reasons in summary.counts_of(sid).reasons.values()
    )
    # The evidence checker's own verdict (`missing_evidence`: "field: hint") wins when present.
    missing = [item.split(":", 1)[0] for item in (fact.missing_evidence if fact else ())]
    present = any(evidence.get(key) for key in keys) or (
        fact is not None and fact.type == "open_source" and bool(fact.declared_license)
    )
    return {
        "required": kind,
        "present": present and not missing_reason and not missing,
        "fields": sorted(evidence),
        "missing": missing,
    }


def _pii_handling(summary: RunSummary, sid: str) -> dict:
    redacted = rejected = 0
    for decision, reasons in summary.counts_of(sid).reasons.items():
        for code, count in reasons.items():
            if code.startswith(PII_REDACTED.prefix) and decision == "accept_redacted":
                redacted += count
            if code.startswith((PII_SENSITIVE.prefix, PII_SECRET.prefix)) and decision == "reject":
                rejected += count
    return {"redaction_reasons": redacted, "rejection_reasons": rejected}


def _license_status(summary: RunSummary, sid: str, fact: SourceFacts | None) -> dict:
    licenses = summary.licenses
    license_rejects = sum(
        count
        for code, count in summary.counts_of(sid).reasons.get(Decision.REJECT, {}).items()
        if code.startswith(namespace(LicenseReason))
    )
    return {
        "declared": (fact.declared_license if fact else "") or None,
        "categories": None if licenses is None else dict(licenses.per_source.get(sid, {})),
        "rejected_for_license": license_rejects,
    }


def china_compliance_table(summary: RunSummary, manifest: dict) -> tuple[str, dict]:
    """Per-source table for China's Interim Measures Art. 7 and the TC260 source rules."""
    facts = summary.source_facts
    gates = summary.gates
    rows: list[dict[str, Any]] = []
    for sid in summary.source_ids():
        fact = None if facts is None else facts.get(sid)
        gate = None if gates is None else gates.get(sid)
        rows.append(
            {
                "source_id": sid,
                "source_type": fact.type if fact else None,
                "evidence": None if facts is None else _evidence(sid, fact, summary),
                "legal_basis": fact.legal_basis if fact else None,
                "gate": None
                if gate is None
                else {
                    "rate": float(gate.rate),
                    "threshold": gate.threshold,
                    "sample_size": gate.sample_size,
                    "exceeded": gate.exceeded,
                },
                "personal_data": _pii_handling(summary, sid),
                "license": _license_status(summary, sid, fact),
            }
        )
    data = {
        "run_id": manifest.get("run_id") or summary.run_id,
        "sources": rows,
        "source_facts_recorded": facts is not None,
        "gates_recorded": gates is not None,
    }
    md = [
        "# Source compliance table (Interim Measures Art. 7, TC260) — DRAFT",
        "",
        f"Run {data['run_id']}. Gate: a source whose sampled disqualifying rate exceeds "
        f"{GATE_THRESHOLD:.0%} is not used.",
        "",
        "| source | type | evidence | legal basis | sampled rate vs gate | personal data "
        "| license / IP |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ev = row["evidence"]
        evidence = NOT_RUN
        if ev is not None:
            evidence = f"{ev['required']}: {'present' if ev['present'] else 'MISSING'}"
            evidence += f" ({', '.join(ev['missing'])} missing)" if ev["missing"] else ""
        gate = row["gate"]
        gate_text = (
            (NOT_RUN if gates is None else "no gate figures for this source")
            if gate is None
            else (
                f"{gate['rate']:.1%} vs {gate['threshold']:.0%} — "
                f"{'EXCLUDED' if gate['exceeded'] else 'passed'}"
            )
        )
        pii = row["personal_data"]
        lic = row["license"]
        categories = (
            NOT_RUN
            if lic["categories"] is None
            else (", ".join(f"{k} {v}" for k, v in sorted(lic["categories"].items())) or "none")
        )
        md.append(
            f"| {md_text(row['source_id'])} | {row['source_type'] or NOT_RUN} | {evidence} | "
            f"{row['legal_basis'] or NOT_RUN} | {gate_text} | "
            f"redacted {pii['redaction_reasons']}, rejected {pii['rejection_reasons']} "
            "(reason counts) | "
            f"declared {md_text(lic['declared'] or 'none')}; {categories}; "
            f"{lic['rejected_for_license']} rejected |"
        )
    return "\n".join(md) + "\n", data

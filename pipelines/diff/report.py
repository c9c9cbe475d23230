"""The diff report: the job's aggregate lines turned into `diff.json` and `diff.html`.

Pure: it takes the lines the workers wrote and the two versions' facts, and returns
text. Totals are derived from the per-source decision matrix, whose cells add up to
both ledgers' row counts, so the headline figures cannot disagree with the tables.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from pipelines.reports.html_blocks import CSS, escape, table
from schemas.diff import (
    DIFF_FORMAT,
    REJECT,
    Change,
    ChangeKind,
    CountedChange,
    DiffReport,
    GateFlip,
    VersionFacts,
    WithdrawnSubject,
)


class DiffFactsError(Exception):
    """The job reported problems (a ledger file that does not match its manifest, ...)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def assemble(
    old: VersionFacts, new: VersionFacts, lines: Iterable[str], flips: list[GateFlip]
) -> DiffReport:
    report = DiffReport(old=old, new=new, gates_flipped=flips)
    problems = []
    by_kind: dict[str, list[CountedChange]] = defaultdict(list)
    for line in lines:
        fact = json.loads(line)
        if "problem" in fact:
            problems.append(fact["problem"])
        elif "change" in fact:
            kind, source, before, after, gained, lost = fact["change"]
            change = Change(kind, source, before, after, tuple(gained), tuple(lost))
            by_kind[kind].append(CountedChange(change, fact["records"], tuple(fact["examples"])))
        elif "subjects_withdrawn" in fact:
            report.subjects_withdrawn = fact["subjects_withdrawn"]
        elif "subject" in fact:
            report.subjects_listed.append(
                WithdrawnSubject(
                    tuple(fact["subject"]),
                    fact["withdrawn_records"],
                    fact["removed_from_dataset"],
                    fact["copies_removed"],
                )
            )
    if problems:
        raise DiffFactsError(sorted(problems))
    for kind, counted in by_kind.items():
        counted.sort(key=lambda item: (-item.records, item.change))
        by_kind[kind] = counted
    report.records = by_kind[ChangeKind.RECORD]
    report.decisions = by_kind[ChangeKind.DECISION]
    report.rights = by_kind[ChangeKind.RIGHTS]
    report.content = by_kind[ChangeKind.CONTENT]
    report.unchanged = sum(item.records for item in by_kind[ChangeKind.UNCHANGED])
    report.subjects_listed.sort(
        key=lambda s: (-(s.removed_from_dataset + s.copies_removed), -s.records, s.subject_tokens)
    )
    return report


def _published(decision: str) -> bool:
    return decision not in ("", REJECT)


def totals(report: DiffReport) -> dict[str, int]:
    cells = report.records
    return {
        "old_records": sum(c.records for c in cells if c.change.before),
        "new_records": sum(c.records for c in cells if c.change.after),
        "added": sum(c.records for c in cells if not c.change.before),
        "removed": sum(c.records for c in cells if not c.change.after),
        "unchanged": report.unchanged,
        "decisions_changed": sum(c.records for c in report.decisions),
        "rights_changed": sum(c.records for c in report.rights),
        "content_changed": sum(c.records for c in report.content),
        "entered_dataset": sum(
            c.records
            for c in cells
            if _published(c.change.after) and not _published(c.change.before)
        ),
        "left_dataset": sum(
            c.records
            for c in cells
            if _published(c.change.before) and not _published(c.change.after)
        ),
        "subjects_withdrawn": report.subjects_withdrawn,
        "gates_flipped": len(report.gates_flipped),
    }


def sources(report: DiffReport) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for cell in report.records:
        row = rows.setdefault(
            cell.change.source_id,
            {"source_id": cell.change.source_id, "old_records": 0, "new_records": 0},
        )
        row["old_records"] += cell.records if cell.change.before else 0
        row["new_records"] += cell.records if cell.change.after else 0
    for row in rows.values():
        row["status"] = (
            "added" if not row["old_records"] else "removed" if not row["new_records"] else "kept"
        )
    return [rows[source] for source in sorted(rows)]


def same_hmac_key(report: DiffReport) -> bool | None:
    """None when a version predates key ids in manifests: tokens may not be comparable."""
    if report.old.hmac_key_id is None or report.new.hmac_key_id is None:
        return None
    return report.old.hmac_key_id == report.new.hmac_key_id


def to_json(report: DiffReport) -> dict[str, Any]:
    return {
        "format": DIFF_FORMAT,
        "old": asdict(report.old),
        "new": asdict(report.new),
        "same_hmac_key": same_hmac_key(report),
        "policy_changed": report.old.policy_sha256 != report.new.policy_sha256,
        "config_changed": report.old.config_sha256 != report.new.config_sha256,
        "totals": totals(report),
        "sources": sources(report),
        "records": [item.to_json() for item in report.records],
        "decision_changes": [item.to_json() for item in report.decisions],
        "rights_changes": [item.to_json() for item in report.rights],
        "content_changes": [item.to_json() for item in report.content],
        "subjects_withdrawn": {
            "count": report.subjects_withdrawn,
            "listed": [asdict(subject) for subject in report.subjects_listed],
            "truncated": report.subjects_withdrawn > len(report.subjects_listed),
        },
        "gates_flipped": [asdict(flip) for flip in report.gates_flipped],
    }


def _codes(codes: Iterable[str]) -> str:
    return ", ".join(codes) or "-"


def _cell(value: str) -> str:
    return value or "(absent)"


def _changes_table(items: list[CountedChange], with_reasons: bool) -> str:
    if not items:
        return '<p class="note">None.</p>'
    headers = ["source", "before", "after", "records", "example doc ids"]
    if with_reasons:
        headers[3:3] = ["reasons gained", "reasons lost"]
    rows = []
    for item in items:
        change = item.change
        row: list[Any] = [change.source_id, _cell(change.before), _cell(change.after)]
        if with_reasons:
            row += [_codes(change.reasons_gained), _codes(change.reasons_lost)]
        rows.append([*row, f"{item.records:,}", " ".join(item.examples)])
    return table(headers, rows, numeric={len(headers) - 2})


def _version_table(report: DiffReport) -> str:
    rows = [
        [label, *(getattr(version, name) or "-" for version in (report.old, report.new))]
        for label, name in [
            ("location", "location"),
            ("run id", "run_id"),
            ("kind", "kind"),
            ("finished at", "finished_at"),
            ("policy", "policy"),
            ("HMAC key id", "hmac_key_id"),
            ("signed by key", "signed_by"),
        ]
    ]
    return table(["", "old", "new"], rows)


def render_html(report: DiffReport) -> str:
    figures = totals(report)
    same_key = same_hmac_key(report)
    key_note = (
        '<p class="bad">One version records no HMAC key id: subject tokens are comparable '
        "only if both runs used the same key.</p>"
        if same_key is None
        else ""
    )
    sections = [
        f"<h1>What changed: {escape(report.old.run_id)} → {escape(report.new.run_id)}</h1>",
        _version_table(report),
        key_note,
        "<h2>Totals</h2>",
        table(
            ["", "records"],
            [[name.replace("_", " "), f"{value:,}"] for name, value in figures.items()],
            numeric={1},
        ),
        "<h2>Sources</h2>",
        table(
            ["source", "old records", "new records", "status"],
            [
                [row["source_id"], row["old_records"], row["new_records"], row["status"]]
                for row in sources(report)
            ],
            numeric={1, 2},
        ),
        "<h2>Decisions that changed, and why</h2>",
        '<p class="note">Reason codes are explained in docs/reason-codes.md.</p>',
        _changes_table(report.decisions, with_reasons=True),
        "<h2>Records added and removed</h2>",
        _changes_table(
            [c for c in report.records if not (c.change.before and c.change.after)],
            with_reasons=False,
        ),
        "<h2>Subjects withdrawn since the old version</h2>",
        f"<p>{report.subjects_withdrawn:,} subject(s), each named by the HMAC tokens its "
        "records carry (e-mail, user id); the most affected "
        f"{len(report.subjects_listed):,} are listed.</p>",
        table(
            ["subject tokens", "their records", "removed from the dataset", "copies removed"],
            [
                [" ".join(s.subject_tokens), s.records, s.removed_from_dataset, s.copies_removed]
                for s in report.subjects_listed
            ],
            numeric={1, 2, 3},
        )
        if report.subjects_listed
        else "",
        "<h2>License and rights changes</h2>",
        _changes_table(report.rights, with_reasons=False),
        "<h2>Per-source gate outcomes that flipped</h2>",
        table(
            ["source", "before", "after", "rate before", "rate after"],
            [
                [f.source_id, f.before, f.after, f"{f.rate_before:.1%}", f"{f.rate_after:.1%}"]
                for f in report.gates_flipped
            ],
            numeric={3, 4},
        )
        if report.gates_flipped
        else '<p class="note">None.</p>',
        "<h2>Content changed under the same locator</h2>",
        _changes_table(report.content, with_reasons=False),
    ]
    body = "\n".join(section for section in sections if section)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>provenance diff</title><style>{CSS}</style></head><body>{body}</body></html>\n"
    )


def text_summary(report: DiffReport) -> list[str]:
    figures = totals(report)
    return [f"{name.replace('_', ' ')}: {value:,}" for name, value in figures.items()]

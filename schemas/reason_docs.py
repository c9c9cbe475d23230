"""`docs/reason-codes.md`, rendered from the catalogue so the page cannot drift from it.

`tools/build_reason_codes_doc.py` writes the file; a test fails when the committed page
differs from what the catalogue renders today.
"""

from __future__ import annotations

from schemas.reason_codes import CODE_ENUMS, DATA_PATH, FAMILIES, catalogue, namespace

DOC_PATH = "docs/reason-codes.md"

_INTRO = f"""\
# Reason codes

Every decision in the ledger carries reason codes: the `reasons` of a record say why it
was accepted, redacted or rejected, and the dead-letter `error_code` says why a record
could not be read. The same codes name the run's metrics and appear in the audit report.

This page is generated from the catalogue (`schemas/reason_codes.py`, prose in
`{DATA_PATH}`) by `python tools/build_reason_codes_doc.py`; do not edit
it by hand.
Codes ending in `.*` are families: the last part names an entity type, e.g.
`pii.sensitive.US_SSN`.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(codes: list[str]) -> list[str]:
    rows = ["| Code | What it means | Serves |", "| --- | --- | --- |"]
    for code in codes:
        info = catalogue()[code]
        rows.append(f"| `{code}` | {_cell(info.explanation)} | {_cell(info.serves)} |")
    return rows


def reason_codes_markdown() -> str:
    """The whole page: one table per namespace, in the catalogue's own order."""
    groups: dict[str, list[str]] = {}
    for enum in CODE_ENUMS:
        groups.setdefault(namespace(enum), []).extend(str(code) for code in enum)
    for family in FAMILIES:
        groups.setdefault(f"{family.stem.split('.', 1)[0]}.", []).append(family.pattern)
    lines = [_INTRO]
    for prefix, codes in groups.items():
        lines += [f"## `{prefix}*`", "", *_table(codes), ""]
    return "\n".join(lines)

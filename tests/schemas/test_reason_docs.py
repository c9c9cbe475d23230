"""`docs/reason-codes.md` is the catalogue, rendered: it cannot fall behind a new code."""

from __future__ import annotations

from pathlib import Path

from schemas.reason_codes import catalogue
from schemas.reason_docs import DOC_PATH, reason_codes_markdown

REPO = Path(__file__).resolve().parents[2]


def test_the_committed_page_is_what_the_catalogue_renders():
    committed = (REPO / DOC_PATH).read_text(encoding="utf-8")
    assert committed == reason_codes_markdown(), (
        "docs/reason-codes.md is stale: run python tools/build_reason_codes_doc.py"
    )


def test_the_page_lists_every_code_with_its_meaning():
    page = reason_codes_markdown()
    for code, info in catalogue().items():
        assert f"| `{code}` | {info.explanation.replace('|', chr(92) + '|')} |" in page

"""HTML and JavaScript planted in every free-text field a run reads (a copyright line, config
evidence, the run and policy names, a declared license, kept metadata, a page's text) reach
no HTML or Markdown output unescaped; where a report shows the field, it shows it escaped.

Each payload names where it was planted, so a failure says which field leaked.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from tests.conftest import IN_MEMORY, run_cli
from tests.test_no_raw_values import output_texts

# The copyright detector blanks complete tags and refuses holders with `<...>`, `=` or `;`
# (see transforms/licenses/copyright_holders.py), so what can reach the holder field is an
# unclosed tag after a quote: still markup that breaks out of an attribute.
HOLDER = "Mallory Holder'><svg onload"
RUN_NAME = "<script>alert('run-name')</script>"
POLICY_NAME = "<script>alert('policy-name')</script>"
LICENSE_URL = "https://x.example/\"><img src=x onerror=alert('license-url')>"
METHOD = "\"><svg onload=alert('collection-method')>"
USER_AGENT = "<img src=x onerror=alert('user-agent')>"
CONTRACT_REF = "<img src=x onerror=alert('contract-ref')>"
JURISDICTION = "<b onmouseover=alert('jurisdiction')>GB</b>"
DECLARED_LICENSE = "<script>alert('declared-license')</script>"
TITLE = "<script>alert('metadata-title')</script>"
# A URL's host becomes a "top domain" of the EU summary.
DOMAIN = "<svg onload=alert('domain')>"
PAGE_SCRIPT = "<script>alert('page-text')</script>"
# An SPDX tag in a page's text becomes the record's license expression.
SPDX_TAG = "<img src=x onerror=alert('spdx-tag')>"
SOURCE_ID = "<script>alert('source-id')</script>"

PLANTED = {
    "copyright holder": HOLDER,
    "run name": RUN_NAME,
    "policy name": POLICY_NAME,
    "evidence.license_url": LICENSE_URL,
    "evidence.collection.method": METHOD,
    "evidence.collection.crawler_user_agent": USER_AGENT,
    "evidence.contract_ref": CONTRACT_REF,
    "evidence.jurisdiction": JURISDICTION,
    "declared_license": DECLARED_LICENSE,
    "metadata title": TITLE,
    "metadata url host": DOMAIN,
    "page text": PAGE_SCRIPT,
    "SPDX tag in page text": SPDX_TAG,
}

# Where a report renders the field (and so must show it, escaped).
RENDERED = {
    "audit.html": {
        "policy name": POLICY_NAME,
        "declared_license": DECLARED_LICENSE,
        "SPDX tag in page text": SPDX_TAG,
    },
    "eu_training_summary.md": {"declared_license": DECLARED_LICENSE, "metadata url host": DOMAIN},
    "china_sources.md": {"declared_license": DECLARED_LICENSE},
}


def sources(crawl_id: str) -> list[dict]:
    return [
        {
            "id": "code",
            "type": "open_source",
            "format": "text",
            "paths": ["code/*.py"],
            "root": "code",
            "legal_basis": "contract",
            "evidence": {"license": "MIT", "license_url": LICENSE_URL, "jurisdiction": "US"},
        },
        {
            "id": crawl_id,
            "type": "web_crawl",
            "format": "jsonl",
            "paths": ["crawl/*.jsonl"],
            "root": "crawl",
            "legal_basis": "contract",
            "fields": {"text": "text", "metadata": ["url", "title"]},
            "evidence": {
                "collection": {
                    "period_start": "2026-01-01",
                    "period_end": "2026-01-02",
                    "method": METHOD,
                    "crawler_user_agent": USER_AGENT,
                    "robots_txt_honoured": True,
                },
                "jurisdiction": "EU",
            },
        },
        {
            "id": "news",
            "type": "commercial",
            "format": "jsonl",
            "paths": ["news/*.jsonl"],
            "root": "news",
            "legal_basis": "contract",
            "fields": {"text": "content", "id": "id"},
            "declared_license": DECLARED_LICENSE,
            "evidence": {"contract_ref": CONTRACT_REF, "jurisdiction": JURISDICTION},
        },
    ]


def build_corpus(root: Path, crawl_id: str = "crawl") -> Path:
    (root / "code").mkdir(parents=True)
    (root / "code" / "lib.py").write_text(
        f"# Copyright (c) 2024 {HOLDER}\n\ndef main():\n    return 1\n"
    )
    (root / "code" / "plain.py").write_text("print('hello')\n")
    (root / "crawl").mkdir()
    pages = [
        {
            "text": f"Welcome. {PAGE_SCRIPT} A page about kites.\n"
            f"SPDX-License-Identifier: {SPDX_TAG}\n",
            "url": f"https://{DOMAIN}/page",
            "title": TITLE,
        },
        {"text": "A page about bicycles.", "url": "https://b.example/2", "title": "plain"},
    ]
    (root / "crawl" / "pages.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pages))
    (root / "news").mkdir()
    (root / "news" / "n.jsonl").write_text(json.dumps({"id": "n1", "content": "A harbour."}) + "\n")
    (root / "key").write_text("k" * 32)
    policy = {"name": POLICY_NAME, "version": "1", "rules": []}
    (root / "policy.yaml").write_text(yaml.safe_dump(policy))
    config = {
        "name": RUN_NAME,
        "policy": "policy.yaml",
        "hmac_key": {"file": "key"},
        "sources": sources(crawl_id),
    }
    path = root / "run.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def markup_run(tmp_path_factory) -> tuple[int, Path]:
    root = tmp_path_factory.mktemp("hostile-markup")
    config = build_corpus(root)
    output = root / "out"
    code = run_cli("run", str(config), "--output", str(output), "--quiet", *IN_MEMORY)
    return code, output


def rendered_files(output: Path) -> dict[str, str]:
    """Every HTML and Markdown file under the output: reports, Data Docs, failed runs."""
    return {
        str(path.relative_to(output)): path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(output.rglob("*"))
        if path.is_file() and path.suffix in {".html", ".md"}
    }


def escaped_forms(value: str) -> tuple[str, str]:
    return html.escape(value), html.escape(value, quote=False)


def test_the_run_publishes(markup_run):
    code, output = markup_run
    assert code == 0
    assert (output / "manifest.json").is_file()
    assert {"audit.html", "eu_training_summary.md", "china_sources.md"} <= {
        path.name for path in (output / "reports").iterdir()
    }
    assert (output / "reports" / "gx" / "index.html").is_file()


def test_every_record_read_is_in_the_ledger_or_the_dead_letter(markup_run):
    _, output = markup_run
    ledger = pq.read_table(output / "ledger").to_pylist()
    dead = pq.read_table(output / "dead_letter").to_pylist()
    assert sorted(row["source_id"] for row in ledger + dead) == (
        ["code"] * 2 + ["crawl"] * 2 + ["news"]
    )


def test_the_payloads_reach_the_fields_they_were_planted_in(markup_run):
    """Otherwise the absence checks below would prove nothing."""
    _, output = markup_run
    ledger = {row["locator"]: row for row in pq.read_table(output / "ledger").to_pylist()}
    assert [c["holders"] for c in ledger["lib.py"]["copyrights"]] == [[HOLDER]]
    assert ledger["pages.jsonl:L1"]["license_spdx"] == SPDX_TAG
    assert ledger["n.jsonl:L1"]["declared_license"] == DECLARED_LICENSE
    dataset = {row["locator"]: row for row in pq.read_table(output / "dataset").to_pylist()}
    page = dataset["pages.jsonl:L1"]
    assert PAGE_SCRIPT in page["text"]
    assert dict(page["metadata"]) == {"title": TITLE, "url": f"https://{DOMAIN}/page"}
    facts = json.loads((output / "reports" / "summary.json").read_text())["source_facts"]
    assert facts["code"]["evidence"]["license_url"] == LICENSE_URL
    assert facts["crawl"]["evidence"]["collection"]["method"] == METHOD
    assert facts["crawl"]["evidence"]["collection"]["crawler_user_agent"] == USER_AGENT
    assert facts["news"]["evidence"]["contract_ref"] == CONTRACT_REF
    assert facts["news"]["evidence"]["jurisdiction"] == JURISDICTION
    everything = "\n".join(output_texts(output).values())
    assert RUN_NAME in everything and POLICY_NAME in everything


def test_no_html_or_markdown_output_holds_a_payload_unescaped(markup_run):
    _, output = markup_run
    files = rendered_files(output)
    assert len(files) > 3  # the reports and the Data Docs pages
    leaks = [
        (path, field)
        for path, text in files.items()
        for field, raw in PLANTED.items()
        if raw in text
    ]
    assert not leaks, leaks


@pytest.mark.parametrize("report", sorted(RENDERED))
def test_a_report_that_renders_a_field_shows_its_payload_escaped(markup_run, report):
    _, output = markup_run
    text = (output / "reports" / report).read_text(encoding="utf-8")
    missing = [
        field
        for field, raw in RENDERED[report].items()
        if not any(form in text for form in escaped_forms(raw))
    ]
    assert not missing, missing


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(tag)
        self.handlers += [(tag, name) for name, _ in attrs if name.startswith("on")]


def test_the_audit_report_has_no_script_and_no_event_handler(markup_run):
    """Parsed as a browser would: a payload that broke out of text or an attribute would
    add an element or an `on...` attribute; the report itself has neither."""
    _, output = markup_run
    parser = _Elements()
    parser.feed((output / "reports" / "audit.html").read_text(encoding="utf-8"))
    assert parser.scripts == [] and parser.handlers == []


_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_RAW_TAG = re.compile(r"<[A-Za-z!/?]")


def test_markdown_files_hold_no_raw_html_outside_code(markup_run):
    """Most Markdown viewers render raw HTML, so a tag outside a code span is live."""
    _, output = markup_run
    raw_tags = {
        path: _RAW_TAG.findall(_CODE.sub("", text))
        for path, text in rendered_files(output).items()
        if path.endswith(".md")
    }
    assert raw_tags and not any(raw_tags.values()), raw_tags


def test_a_source_id_carrying_markup_is_refused_before_any_work(tmp_path, capsys):
    config = build_corpus(tmp_path, crawl_id=SOURCE_ID)
    output = tmp_path / "out"
    assert run_cli("run", str(config), "--output", str(output), "--quiet", *IN_MEMORY) == 2
    error = capsys.readouterr().err
    assert "field `sources[1].id`" in error and "use letters, digits" in error
    assert not output.exists()

"""The README and docs/ stay true to the code: commands, links, paths, config keys, columns.

Reference docs drift silently when a field or a column is added; these tests walk the
models and schemas themselves, so a new config key or output column without a line in
the docs fails here, and so does a documented key or column the code no longer has.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pyarrow as pa
import pytest
from pydantic import BaseModel

from pipelines.run.config import RunConfig
from schemas.dataset import DATASET_SCHEMA
from schemas.dead_letter import DEAD_LETTER_SCHEMA, ReadError
from schemas.ledger import LEDGER_SCHEMA
from schemas.policy import Policy
from schemas.review_sample import REVIEW_SAMPLE_SCHEMA
from tests.conftest import REPO

README = REPO / "README.md"
DOCS = REPO / "docs"
# Generated from schemas/reason_codes.py by its own tool, not written by hand: links to
# it are checked only once it exists.
GENERATED_DOCS = {DOCS / "reason-codes.md"}
README_LINE_LIMIT = 250

# The README opens with these two commands; CI runs the second word for word.
INSTALL_AND_DEMO = (
    "python3 -m venv .venv && .venv/bin/pip install -q -r requirements/lock.txt && "
    ".venv/bin/pip install -q --no-deps -e . && "
    ".venv/bin/provenance run configs/demo.yaml --output out/demo"
)
INSTALL_AND_TEST = (
    "python3 -m venv .venv && .venv/bin/pip install -q -r requirements/lock-dev.txt && "
    ".venv/bin/pip install -q --no-deps -e . && .venv/bin/python -m pytest -q"
)

CODE_PATH = re.compile(
    r"\b(?:pipelines|transforms|schemas|expectations|bench|tools|tests)/[\w./-]*"
)
LINK = re.compile(r"\]\(([^)\s]+)\)")
TICKED = re.compile(r"`([^`]+)`")


def prose(path: Path) -> str:
    """A page without its fenced code blocks, whose backticks are not inline code."""
    return re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)


def pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def heading_anchors(text: str) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for line in text.splitlines():
        match = re.match(r"#{1,6}\s+(.*)", line)
        if match:
            title = match.group(1).strip().lower().replace("`", "")
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


def anchors_of(page: Path) -> set[str]:
    return heading_anchors(page.read_text(encoding="utf-8"))


def section(text: str, heading: str) -> str:
    """The text under `heading` up to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    start = text.index(heading + "\n")
    ends = [
        m.start() for m in re.finditer(rf"^(#{{1,{level}}}) ", text[start + len(heading) :], re.M)
    ]
    return text[start : start + len(heading) + (ends[0] if ends else len(text))]


def table_first_cells(text: str) -> list[str]:
    return [
        line.split("|")[1].strip()
        for line in text.splitlines()
        if line.startswith("|") and not set(line) <= set("|- ")
    ][1:]


def test_readme_opens_with_the_install_and_test_commands():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert lines[:6] == [
        "# provenance-pipeline",
        "",
        "```bash",
        INSTALL_AND_DEMO,
        INSTALL_AND_TEST,
        "```",
    ]


def test_ci_runs_the_readme_test_command_word_for_word():
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert INSTALL_AND_TEST in ci_lines


def test_readme_stays_a_short_introduction():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_LINE_LIMIT, "move reference material into docs/"


@pytest.mark.parametrize("page", pages(), ids=lambda page: page.name)
def test_relative_links_and_anchors_resolve(page):
    broken = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if linked in GENERATED_DOCS and not linked.exists():
            continue
        if not linked.exists() or (anchor and anchor not in anchors_of(linked)):
            broken.append(target)
    assert not broken


@pytest.mark.parametrize("page", pages(), ids=lambda page: page.name)
def test_code_paths_named_in_docs_exist(page):
    named = {match.rstrip(".") for match in CODE_PATH.findall(page.read_text(encoding="utf-8"))}
    missing = sorted(path for path in named if ".cache" not in path and not (REPO / path).exists())
    assert not missing


def test_layout_table_has_a_row_per_package_and_names_only_real_modules():
    layout = section(prose(DOCS / "design.md"), "## Layout")
    rows = {
        line.split("|")[1].strip().strip("`"): line.split("|")[2]
        for line in layout.splitlines()
        if line.startswith("| `")
    }
    packages = {"schemas/", "expectations/"} | {
        f"{init.parent.relative_to(REPO).as_posix()}/"
        for top in ("pipelines", "transforms")
        for init in (REPO / top).glob("*/__init__.py")
    }
    assert set(rows) == packages
    for package, job in rows.items():
        for module in re.findall(r"`([\w/]+\.py|[\w]+/[\w/.]+)`", job):
            assert (REPO / package / module).exists(), f"{package}{module}"


def _models_in(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


def config_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every leaf field path of a settings model: `limits.max_document_bytes`,
    `sources[].fields.text`; dict-valued fields are leaves."""
    keys = set()
    for name, info in model.model_fields.items():
        origin = typing.get_origin(info.annotation)
        nested = [] if origin is dict else _models_in(info.annotation)
        path = f"{prefix}{name}" + ("[]" if nested and origin is list else "")
        if nested:
            for inner in nested:
                keys |= config_keys(inner, path + ".")
        else:
            keys.add(path)
    return keys


def _with_prefixes(keys: set[str]) -> set[str]:
    known = set(keys)
    for key in keys:
        parts = key.split(".")
        known |= {".".join(parts[:end]) for end in range(1, len(parts))}
    return known


CONFIG_KEYS = config_keys(RunConfig)
POLICY_KEYS = config_keys(Policy)


def test_config_keys_walk_reaches_nested_models():
    """Guards the walk itself: without recursion the checks below would pass vacuously."""
    assert {"sources[].evidence.collection.method", "limits.max_document_bytes"} <= CONFIG_KEYS
    assert {"licenses.deep.confident_at", "rules[].match", "gate.threshold"} <= POLICY_KEYS


def test_configuration_reference_names_every_config_and_policy_key():
    ticked = set(TICKED.findall(prose(DOCS / "configuration.md")))
    assert not sorted((CONFIG_KEYS | POLICY_KEYS) - ticked)


def test_configuration_reference_documents_no_key_the_models_lack():
    text = prose(DOCS / "configuration.md")
    known = _with_prefixes(CONFIG_KEYS | POLICY_KEYS)
    documented = {
        key
        for cell in table_first_cells(text)
        for key in TICKED.findall(cell)
        if "." in key or "[" in key
    }
    assert not sorted(documented - known)


def _nested_names(data_type: pa.DataType) -> set[str]:
    if pa.types.is_list(data_type):
        return _nested_names(data_type.value_type)
    if pa.types.is_struct(data_type):
        return {data_type.field(i).name for i in range(data_type.num_fields)} | {
            name
            for i in range(data_type.num_fields)
            for name in _nested_names(data_type.field(i).type)
        }
    return set()


OUTPUT_SECTIONS = {
    "## `dataset/`": DATASET_SCHEMA,
    "## `ledger/`": LEDGER_SCHEMA,
    "## `dead_letter/`": DEAD_LETTER_SCHEMA,
    "## `reports/review_sample/`": REVIEW_SAMPLE_SCHEMA,
}


@pytest.mark.parametrize("heading", OUTPUT_SECTIONS, ids=lambda h: h.strip("#` /"))
def test_outputs_doc_names_every_column_of_each_output(heading):
    schema = OUTPUT_SECTIONS[heading]
    text = section(prose(DOCS / "outputs.md"), heading)
    ticked = set(TICKED.findall(text))
    wanted = set(schema.names) | {name for field in schema for name in _nested_names(field.type)}
    assert not sorted(wanted - ticked)


@pytest.mark.parametrize("heading", OUTPUT_SECTIONS, ids=lambda h: h.strip("#` /"))
def test_outputs_doc_lists_no_column_an_output_lacks(heading):
    schema = OUTPUT_SECTIONS[heading]
    text = section(prose(DOCS / "outputs.md"), heading)
    first_cells = [key for cell in table_first_cells(text) for key in TICKED.findall(cell)]
    first_cells = [key for key in first_cells if "," not in key]
    if heading == "## `dead_letter/`":  # its second table lists error codes
        first_cells = [key for key in first_cells if not key.startswith("read.")]
    assert not sorted(set(first_cells) - set(schema.names))


def test_outputs_doc_lists_every_dead_letter_code():
    ticked = set(TICKED.findall(prose(DOCS / "outputs.md")))
    assert not sorted({str(code) for code in ReadError} - ticked)


def test_benchmarks_doc_names_every_bench_script():
    text = (DOCS / "benchmarks.md").read_text(encoding="utf-8")
    scripts = sorted(path.relative_to(REPO).as_posix() for path in (REPO / "bench").glob("*.py"))
    assert scripts
    assert not [script for script in scripts if script not in text]

"""Personal data in file names, record ids, metadata and dead letters, through the real
pipeline: the run publishes, no output file outside the dataset's text holds a planted
value, every record is accounted for, and trace and erase still find the records."""

from __future__ import annotations

import gzip
import json

import pyarrow.parquet as pq
import pytest

from schemas.document import make_doc_id
from tests.conftest import IN_MEMORY, MULTI_PROCESS, run_cli
from tests.test_no_raw_values import output_texts

NAMED = "mara.okafor77@posteo.de"
IN_ID = "li.wei.1990@gmx.net"
IN_URL = "r.patel@proton.me"
CARD = "4111 1111 1111 1111"
IN_BROKEN = "j.smith@web.de"
PHONE_DIR = "+44 20 7946 0958"
IN_MALFORMED = "z.kowalski@posteo.de"  # in a line that is not JSON
IN_BAD_BYTES = "amara.diallo@gmx.de"  # in a line that is not UTF-8
PLANTED = (NAMED, IN_ID, IN_URL, CARD, IN_BROKEN, PHONE_DIR, IN_MALFORMED, IN_BAD_BYTES)


def build_corpus(root):
    (root / "code" / "pkg0").mkdir(parents=True)
    (root / "code" / "pkg0" / f"{NAMED}.py").write_text("def main():\n    return 1\n")
    (root / "code" / "pkg0" / "plain.py").write_text("print('hello')\n")
    (root / "code" / PHONE_DIR).mkdir()
    (root / "code" / PHONE_DIR / "notes.txt").write_text("call notes, nothing personal")
    (root / "posts").mkdir()
    rows = [
        {"id": f"user:{IN_ID}", "body": "a post about gardening", "url": "https://a.example/1"},
        {
            "id": "p-2",
            "body": "a post about bicycles",
            "url": f"https://a.example/share?to={IN_URL}&card={CARD}",
        },
        {"id": "p-3", "body": "a post about kites", "url": "https://a.example/3"},
    ]
    lines = [json.dumps(row).encode() for row in rows] + [
        b'{"id": "p-4", "body": "write to ' + IN_MALFORMED.encode() + b" or",
        b'{"id": "p-5", "body": "\xff\xfe ' + IN_BAD_BYTES.encode() + b'"}',
    ]
    (root / "posts" / "posts.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    good = gzip.compress(b'{"id": "x", "body": "cut short"}\n' * 200, mtime=0)
    (root / "posts" / f"{IN_BROKEN}.jsonl.gz").write_bytes(good[: len(good) // 2])
    (root / "key").write_text("k" * 32)
    (root / "policy.yaml").write_text("name: p\nversion: '1'\nrules: []\n")
    config = root / "run.yaml"
    config.write_text(
        """
name: hostile-identifiers
policy: policy.yaml
hmac_key: {file: key}
sources:
  - {id: code, type: open_source, format: text, paths: ["code/**/*"], root: code,
     legal_basis: contract,
     evidence: {license: MIT, license_url: "https://opensource.org/license/mit",
                jurisdiction: US}}
  - {id: posts, type: self_collected, format: jsonl, paths: ["posts/*"], root: posts,
     fields: {text: body, id: id, metadata: [url]}, legal_basis: contract,
     evidence: {collection: {period_start: "2026-01-01", period_end: "2026-01-02",
                             method: export}, jurisdiction: EU}}
"""
    )
    return config


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-identifiers")
    config = build_corpus(root)
    output = root / "out"
    code = run_cli("run", config, "--output", output, "--quiet", *IN_MEMORY)
    return code, output


def texts_outside_dataset_text(output) -> dict[str, str]:
    """Every output file as text; the dataset's Parquet without its `text` column."""
    texts = output_texts(output)
    for path in sorted((output / "dataset").glob("*.parquet")):
        table = pq.read_table(path)
        rows = table.drop_columns(["text"]).to_pylist()
        texts[str(path)] = json.dumps(rows, default=str, ensure_ascii=False)
    return texts


def test_the_run_publishes(hostile_run):
    code, output = hostile_run
    assert code == 0
    assert (output / "manifest.json").is_file()
    assert not list(output.glob(".failed-*"))


def test_no_planted_value_is_in_any_output_file(hostile_run):
    _, output = hostile_run
    leaks = [
        (path, value)
        for path, text in texts_outside_dataset_text(output).items()
        for value in PLANTED
        if value in text
    ]
    assert not leaks, leaks[:5]


def test_every_record_is_accounted_for(hostile_run):
    _, output = hostile_run
    ledger = pq.read_table(output / "ledger").to_pylist()
    dead = pq.read_table(output / "dead_letter").to_pylist()
    assert sorted(row["source_id"] for row in ledger) == ["code"] * 3 + ["posts"] * 3
    by_code = sorted((row["error_code"], row["locator"]) for row in dead)
    assert [code for code, _ in by_code] == sorted(
        ["read.corrupt_compressed", "read.malformed_json", "read.invalid_utf8"]
    ), by_code
    [broken] = [row for row in dead if row["locator"].startswith("<EMAIL_ADDRESS:")]
    assert broken["identifier_findings"]


def test_masked_values_keep_type_and_token_where_they_stood(hostile_run):
    _, output = hostile_run
    locators = {row["locator"] for row in pq.read_table(output / "ledger").to_pylist()}
    assert any(
        locator.startswith("pkg0/<EMAIL_ADDRESS:") and locator.endswith(">.py")
        for locator in locators
    ), locators
    assert any(locator.startswith("<PHONE_NUMBER:") for locator in locators), locators
    dataset = pq.read_table(output / "dataset").to_pylist()
    urls = {dict(row["metadata"]).get("url") for row in dataset}
    assert any(url and "<EMAIL_ADDRESS:" in url and "<CREDIT_CARD:" in url for url in urls)


def test_trace_finds_a_record_by_its_raw_locator(hostile_run, capsys):
    _, output = hostile_run
    capsys.readouterr()
    assert run_cli("trace", output, "--source", "code", "--locator", f"pkg0/{NAMED}.py") == 0
    story = capsys.readouterr().out
    assert make_doc_id("code", f"pkg0/{NAMED}.py") in story
    assert "EMAIL_ADDRESS in the locator" in story and NAMED not in story


def test_trace_needs_an_id_or_a_locator_with_its_source(hostile_run, capsys):
    _, output = hostile_run
    assert run_cli("trace", output) == 2
    assert run_cli("trace", output, "--locator", "x.py") == 2
    assert "DOC_ID or --source with --locator" in capsys.readouterr().err


def test_erasing_a_subject_named_only_in_a_file_name_or_an_id(hostile_run, tmp_path):
    import shutil

    _, output = hostile_run
    copy = tmp_path / "run"
    shutil.copytree(output, copy)
    for email, source, locator in (
        (NAMED, "code", f"pkg0/{NAMED}.py"),
        (IN_ID, "posts", "posts.jsonl:L1"),
        (IN_URL, "posts", "posts.jsonl:L2"),
    ):
        assert run_cli("erase", copy, "--subject-email", email) == 0
        doc_id = make_doc_id(source, locator)
        ledger = {row["doc_id"]: row for row in pq.read_table(copy / "ledger").to_pylist()}
        assert "erasure.requested" in ledger[doc_id]["reasons"], email
        dataset_ids = {row["doc_id"] for row in pq.read_table(copy / "dataset").to_pylist()}
        assert doc_id not in dataset_ids


LEAKED = "leaked.value@posteo.de"


def add_a_buggy_stage(monkeypatch, name: str, function) -> None:
    """Run `function` on every record after the pipeline's own global stages."""
    import apache_beam as beam

    from pipelines.run import graph as audit

    original = audit.global_stages
    monkeypatch.setattr(
        audit,
        "global_stages",
        lambda config, entering=None: [*original(config, entering), (name, beam.Map(function))],
    )


def leak_into_the_locator(record):
    """A stage with a bug: it writes a raw address into a ledger column."""
    record.document.locator = f"broken/{LEAKED}"
    return record


def test_a_failed_runs_kept_outputs_hold_no_planted_value(tmp_path, monkeypatch, capsys):
    """The ledger check catches the leak and the run fails; what it keeps for inspection
    (reports, Data Docs, lineage, dead letter, dataset columns) holds no planted value and
    repeats the leaked one nowhere but in the record outputs the buggy stage wrote to."""
    add_a_buggy_stage(monkeypatch, "Leak", leak_into_the_locator)
    config = build_corpus(tmp_path)
    output = tmp_path / "out"
    assert run_cli("run", config, "--output", output, "--quiet", *IN_MEMORY) == 1
    error = capsys.readouterr().err
    assert "no email-shaped value" in error and LEAKED not in error
    [failed] = list(output.glob(".failed-*"))
    assert (failed / "reports" / "gx" / "index.html").is_file()
    texts = texts_outside_dataset_text(failed)
    planted = [(path, value) for path, text in texts.items() for value in PLANTED if value in text]
    assert not planted, planted[:5]
    carriers = [path for path in texts if path.endswith(".parquet") and LEAKED in texts[path]]
    assert any("/ledger/" in path for path in carriers)
    repeated = [path for path, text in texts.items() if LEAKED in text and path not in carriers]
    assert not repeated, repeated  # Data Docs, GX results, summary, lineage, logs


def crash_quoting_the_record(record):
    """A stage that fails the way libraries do: its message quotes the values it choked on."""
    raise ValueError(f"cannot normalise {IN_ID!r} (card {CARD}) in {record.document.doc_id}")


def test_a_crash_whose_message_quotes_values_shows_them_nowhere(tmp_path, monkeypatch, capfd):
    """With worker processes: Beam prints a failed bundle's traceback straight to the
    worker's stderr, besides logging it; both reach the console scrubbed (capfd sees the
    processes' file descriptors, not only this one's sys.stderr)."""
    add_a_buggy_stage(monkeypatch, "Crash", crash_quoting_the_record)
    config = build_corpus(tmp_path)
    output = tmp_path / "out"
    assert run_cli("run", config, "--output", output, *MULTI_PROCESS) == 1
    captured = capfd.readouterr()
    error = captured.err + captured.out
    assert "ValueError" in error and "cannot normalise" in error and "<EMAIL_ADDRESS>" in error
    assert IN_ID not in error and CARD not in error
    assert not (output / "manifest.json").exists()
    texts = {
        path: text for kept in output.glob(".failed-*") for path, text in output_texts(kept).items()
    }
    lineage = [text for path, text in texts.items() if "lineage" in path]
    assert any('"FAIL"' in text for text in lineage), sorted(texts)
    leaks = [path for path, text in texts.items() if IN_ID in text or CARD in text]
    assert not leaks, leaks

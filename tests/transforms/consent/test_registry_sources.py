"""The same run with the consent registry as a CSV file and as a SQLite database."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import yaml

from tests.conftest import DEMO_CONFIG, IN_MEMORY, REPO, run_cli


def absolute_demo_config(tmp_path: Path, consent: dict) -> Path:
    """The demo config with every path made absolute, so it can live in tmp_path."""
    base = DEMO_CONFIG.parent
    config = yaml.safe_load(DEMO_CONFIG.read_text())
    config["policy"] = str(base / config["policy"])
    config["hmac_key"] = {"file": str(base / config["hmac_key"]["file"])}
    config["signing_key"] = {"file": str(base / config["signing_key"]["file"])}
    for source in config["sources"]:
        source["paths"] = [str((base / p).resolve()) for p in source["paths"]]
        for kind in ("robots_txt", "tdmrep"):
            for host, path in source.get("optout", {}).get(kind, {}).items():
                source["optout"][kind][host] = str((base / path).resolve())
    config["consent"] = consent
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def sqlite_registry(tmp_path: Path) -> Path:
    database = tmp_path / "consent.db"
    with open(REPO / "configs" / "demo-consent.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with sqlite3.connect(database) as connection:
        columns = list(rows[0])
        connection.execute(f"CREATE TABLE consent ({', '.join(c + ' TEXT' for c in columns)})")
        connection.executemany(
            f"INSERT INTO consent VALUES ({', '.join('?' for _ in columns)})",
            [tuple(row[c] for c in columns) for row in rows],
        )
    return database


def decisions(output: Path) -> dict[str, tuple]:
    table = pq.read_table(
        output / "ledger", columns=["doc_id", "decision", "reasons", "consent_status"]
    )
    return {
        r["doc_id"]: (r["decision"], r["reasons"], r["consent_status"]) for r in table.to_pylist()
    }


def test_sqlite_registry_gives_the_same_decisions_as_csv(tmp_path, demo_run_in_memory):
    database = sqlite_registry(tmp_path)
    config = absolute_demo_config(
        tmp_path,
        {
            "registry": f"sqlite:///{database}",
            "format": "sql",
            "table": "consent",
            "purpose": "training",
        },
    )
    output = tmp_path / "out"
    assert run_cli("run", config, "--output", output, "--quiet", *IN_MEMORY) == 0
    from_sqlite = decisions(output)
    assert from_sqlite == decisions(demo_run_in_memory)
    statuses = {status for _, _, status in from_sqlite.values()}
    assert {"granted", "missing", "withdrawn", "refused"} <= statuses


def test_without_a_registry_user_input_lacks_consent(tmp_path):
    config = absolute_demo_config(tmp_path, None)
    data = yaml.safe_load(config.read_text())
    del data["consent"]
    config.write_text(yaml.safe_dump(data))
    output = tmp_path / "out"
    assert run_cli("run", config, "--output", output, "--quiet", *IN_MEMORY) == 0
    forum = [v for v in decisions(output).values() if v[2] == "missing"]
    assert forum and all("consent.missing" in reasons for _, reasons, _ in forum)

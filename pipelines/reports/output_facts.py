"""What the audit pipeline learns from the files it wrote: one small, mergeable value.

Each output file is checked on a worker (`pipelines/run/output_checks.py`), which
returns an `OutputFacts` for that file alone; Beam's combiner merges them into one
for the run (`pipelines/run/audit_outputs.py`), written as `_facts/facts.json` under
the staging directory. The launcher reads only that file: its size grows with the
number of output files and distinct keys (sources, codes, domains), never with the
number of records, so the launcher's memory and I/O stay flat however big the corpus.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.publish import store
from pipelines.publish.outputs import DIGEST_MODULUS, FileEntry, digest_json
from pipelines.reports.stage_summary import GateTally, SizeTally, StageTally
from pipelines.reports.summary import RecordTally
from schemas.run_summary import SuiteResult

FACTS_DIR = "_facts"  # under staging; never published
FACTS_FILE = f"{FACTS_DIR}/facts.json"
VALIDATION_RESULTS = f"{FACTS_DIR}/validation"  # GX results, JSON lines, sharded


@dataclass
class OutputFacts:
    files: list[FileEntry] = field(default_factory=list)
    # output name -> (rows, sum of row hashes mod 2**256): pipelines/publish/outputs.py
    digests: dict[str, tuple[int, int]] = field(default_factory=dict)
    counts: RecordTally = field(default_factory=RecordTally)
    stages: StageTally = field(default_factory=StageTally)
    gates: GateTally = field(default_factory=GateTally)
    sizes: SizeTally = field(default_factory=SizeTally)
    checks: list[SuiteResult] = field(default_factory=list)  # one per checked file
    # output name -> doc_id occurrences beyond the first, across all its files
    repeated_ids: Counter = field(default_factory=Counter)

    def add_digest(self, output: str, rows: int, total: int) -> None:
        had_rows, had_total = self.digests.get(output, (0, 0))
        self.digests[output] = (had_rows + rows, (had_total + total) % DIGEST_MODULUS)

    def merge(self, other: OutputFacts) -> OutputFacts:
        self.files.extend(other.files)
        for output, (rows, total) in other.digests.items():
            self.add_digest(output, rows, total)
        self.counts.merge(other.counts)
        self.stages.merge(other.stages)
        self.gates.merge(other.gates)
        self.sizes.merge(other.sizes)
        self.checks.extend(other.checks)
        self.repeated_ids.update(other.repeated_ids)
        return self

    def content_digests(self, outputs: tuple[str, ...]) -> dict[str, dict]:
        """The manifest's `content_digests`: every named output, empty ones included."""
        return {name: digest_json(*self.digests.get(name, (0, 0))) for name in outputs}

    def files_of(self, output: str) -> list[dict[str, Any]]:
        """An output's files (path, sha256, bytes) in path order, as Croissant lists them."""
        return [
            {"path": entry.path, "sha256": entry.sha256, "bytes": entry.bytes}
            for entry in sorted(self.files, key=lambda entry: entry.path)
            if entry.path.startswith(f"{output}/")
        ]

    def file_entries(self) -> dict[str, FileEntry]:
        return {entry.path: entry for entry in self.files}

    def to_json(self) -> dict[str, Any]:
        return {
            "files": [entry.to_json() for entry in sorted(self.files, key=lambda e: e.path)],
            "digests": {name: [rows, str(total)] for name, (rows, total) in self.digests.items()},
            "counts": self.counts.to_json(),
            "stages": self.stages.to_json(),
            "gates": self.gates.to_json(),
            "sizes": self.sizes.to_json(),
            "checks": [
                {"name": c.name, "file": c.file, "success": c.success, "failed": list(c.failed)}
                for c in sorted(self.checks, key=lambda c: (c.name, c.file))
            ],
            "repeated_ids": dict(sorted(self.repeated_ids.items())),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutputFacts:
        return cls(
            files=[FileEntry(**entry) for entry in data["files"]],
            # Sums mod 2**256 overflow JSON numbers in most readers: written as strings.
            digests={name: (rows, int(total)) for name, (rows, total) in data["digests"].items()},
            counts=RecordTally.from_json(data["counts"]),
            stages=StageTally.from_json(data["stages"]),
            gates=GateTally.from_json(data["gates"]),
            sizes=SizeTally.from_json(data["sizes"]),
            checks=[
                SuiteResult(c["name"], c["file"], c["success"], tuple(c["failed"]))
                for c in data["checks"]
            ],
            repeated_ids=Counter(data["repeated_ids"]),
        )

    @classmethod
    def read(cls, run_dir: str | Path) -> OutputFacts:
        """From the run's data root: a local staging directory or an object-store prefix."""
        return cls.from_json(json.loads(store.read_bytes(store.join(str(run_dir), FACTS_FILE))))

"""Where one run writes: the pipeline's outputs, the launcher's own files, and how it publishes.

Two layouts, chosen by the output's scheme:
- a local directory (or a mounted one): everything is staged in `OUT/.staging-RUN_ID/`,
  swapped into `OUT/` by rename and published by the manifest
  (`pipelines/publish/staging.py`);
- an object store (`s3://`, `gs://`, any scheme Beam's filesystems know): the pipeline
  writes the run where it stays, `OUT/runs/RUN_ID/`; the launcher writes its small files
  (summary, reports, Data Docs, lineage) in a local scratch directory and uploads them;
  the manifest, written last, publishes (`pipelines/publish/remote.py`).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pipelines.publish import remote, staging
from pipelines.publish.outputs import FileEntry
from pipelines.publish.store import is_object_store


@dataclass(frozen=True)
class RunLocations:
    output: str  # OUT: an absolute local path or an object-store URI
    run_id: str
    data_root: str  # what the Beam pipeline writes under
    scratch: Path  # what the launcher writes under (local in both layouts)
    on_object_store: bool

    @classmethod
    def prepare(cls, output: str | Path, run_id: str) -> RunLocations:
        """Create what the layout needs; a local OUT also loses killed runs' staging dirs."""
        if is_object_store(output):
            location = str(output).rstrip("/")
            scratch = Path(tempfile.mkdtemp(prefix=f"provenance-{run_id}-"))
            return cls(location, run_id, remote.run_root(location, run_id), scratch, True)
        # Absolute: GX Data Docs and Beam sinks want absolute paths.
        local = Path(str(output).removeprefix("file://")).absolute()
        local.mkdir(parents=True, exist_ok=True)
        staging.clear_stale(local)
        staged = staging.staging_dir(local, run_id)
        return cls(str(local), run_id, str(staged), staged, False)

    def previous_manifest(self) -> dict | None:
        if self.on_object_store:
            return remote.previous_remote_manifest(self.output)
        return staging.previous_manifest(Path(self.output))

    def published_parquet_files(self, published: tuple[str, ...]) -> list[str]:
        if self.on_object_store:
            files = remote.published_files(self.data_root, published)
        else:
            files = staging.published_files(self.scratch, published)
        return [path for path in files if path.endswith(".parquet")]

    def publish(
        self,
        published: tuple[str, ...],
        manifest: dict,
        checked: Mapping[str, FileEntry],
        never_published: tuple[str, ...],
        signing_key: Ed25519PrivateKey | None = None,
    ) -> str:
        """Publish the run; returns where its manifest is."""
        if self.on_object_store:
            try:
                return remote.publish_remote(
                    self.scratch,
                    self.output,
                    self.data_root,
                    published,
                    manifest,
                    checked,
                    never_published,
                    signing_key,
                )
            finally:
                shutil.rmtree(self.scratch, ignore_errors=True)
        path = staging.publish(
            self.scratch, Path(self.output), published, manifest, checked, signing_key
        )
        return str(path)

    def keep_failed(self) -> str | None:
        """Keep a failed run's outputs for inspection; where they are, if anywhere."""
        if self.on_object_store:
            try:
                return remote.keep_failed_remote(self.scratch, self.data_root)
            finally:
                shutil.rmtree(self.scratch, ignore_errors=True)
        if not self.scratch.exists():
            return None
        return str(staging.keep_failed(self.scratch, Path(self.output), self.run_id))

"""Where a run's outputs live: a local directory or an object store, through Beam's filesystems.

Why Beam's filesystems: the pipeline's sinks already write through them, so every scheme
Beam can write (`gs://` with `apache-beam[gcp]`, `s3://` with the `s3` extra, local paths)
is one the launcher can read back, publish and verify, with the credentials and endpoint
flags the user passes to Beam. Object stores have no atomic rename of a directory, so a run
there is published by writing its manifest last (`pipelines/publish/remote.py`); this module
only moves bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from apache_beam.io.filesystems import CompressionTypes, FileSystems

CHUNK_BYTES = 1 << 20


def is_object_store(location: str | Path) -> bool:
    """True for `scheme://...` locations other than `file://` (those are local paths)."""
    scheme = FileSystems.get_scheme(str(location))
    return scheme not in (None, "file")


def join(base: str, *parts: str) -> str:
    return FileSystems.join(base, *parts) if parts else base


def exists(location: str) -> bool:
    return FileSystems.exists(location)


def read_bytes(location: str) -> bytes:
    with FileSystems.open(location, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        return stream.read()


def write_bytes(location: str, data: bytes) -> None:
    """One object written whole: on object stores a reader sees all of it or nothing."""
    with FileSystems.create(location, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        stream.write(data)


def open_for_reading(location: str):
    """A seekable binary stream (Parquet readers need seeks to reach the footer)."""
    return FileSystems.open(location, compression_type=CompressionTypes.UNCOMPRESSED)


def sha256_of(location: str) -> tuple[str, int]:
    """(hex sha256, bytes) of one file, streamed."""
    digest = hashlib.sha256()
    size = 0
    with open_for_reading(location) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def files_under(root: str) -> Iterator[str]:
    """Every file below `root`, as paths relative to it with `/` separators, sorted."""
    prefix = root.rstrip("/") + "/"
    found = FileSystems.match([prefix + "**"])[0].metadata_list
    yield from sorted(meta.path[len(prefix) :] for meta in found if meta.path.startswith(prefix))


def delete_tree(root: str) -> None:
    """Remove everything under `root` (a missing root is not an error)."""
    prefix = root.rstrip("/") + "/"
    paths = [meta.path for meta in FileSystems.match([prefix + "**"])[0].metadata_list]
    if paths:
        FileSystems.delete(paths)


def upload_tree(local_root: Path, remote_root: str) -> list[str]:
    """Copy every file under `local_root` to the same relative path under `remote_root`."""
    copied = []
    for directory, _, names in os.walk(local_root):
        for name in sorted(names):
            path = Path(directory) / name
            relative = path.relative_to(local_root).as_posix()
            with open(path, "rb") as source:
                target = join(remote_root, *relative.split("/"))
                with FileSystems.create(
                    target, compression_type=CompressionTypes.UNCOMPRESSED
                ) as stream:
                    while chunk := source.read(CHUNK_BYTES):
                        stream.write(chunk)
            copied.append(relative)
    return sorted(copied)

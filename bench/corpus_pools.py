"""Where the end-to-end corpus's text comes from: Debian packages, or generated pools.

Why a module: fetching and unpacking is slow, needs `apt-get` and the network, and is
done once per cache, while the corpus is rebuilt per size from what it leaves behind. A
pool is one JSONL file of {"path", "text"} records: kernel source files, or man pages
turned into prose. `iter_pool` reads a pool in a fixed pseudo-random order (sha256 of
the path), which is what makes a smaller corpus a uniform sample contained in the
larger ones. `write_smoke_pools` makes pools of the same format from `smoke_corpus`,
with no download, for `--smoke` runs.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import smoke_corpus

KERNEL_PACKAGE = "linux-source-6.1"
MANPAGE_PACKAGES = (
    "manpages",
    "manpages-dev",
    "manpages-de",
    "manpages-fr",
    "manpages-es",
    "manpages-it",
    "manpages-pl",
    "manpages-ru",
    "manpages-ja",
    "manpages-pt-br",
    "manpages-nl",
    "manpages-zh",
)
MIB = 1 << 20
MIN_DOC_BYTES = 64


def download_packages(cache: Path) -> Path:
    """`apt-get download` the kernel source and man pages once; later runs reuse them."""
    debs = cache / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    wanted = (KERNEL_PACKAGE, *MANPAGE_PACKAGES)
    missing = [p for p in wanted if not list(debs.glob(f"{p}_*.deb"))]
    if missing:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "download", *missing], cwd=debs, check=True)
    return debs


def _is_text(data: bytes) -> str | None:
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def extract_kernel(cache: Path, debs: Path) -> Path:
    """Stream the kernel tarball out of the .deb; keep UTF-8 text files only.

    Writes `pool/kernel.jsonl` ({"path", "text"} per file, whole files) once.
    """
    pool = cache / "pool" / "kernel.jsonl"
    if pool.exists():
        return pool
    pool.parent.mkdir(parents=True, exist_ok=True)
    deb = next(debs.glob(f"{KERNEL_PACKAGE}_*.deb"))
    partial = pool.with_suffix(".partial")
    outer = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    assert outer.stdout is not None
    kept = 0
    with tarfile.open(fileobj=outer.stdout, mode="r|") as deb_tar, partial.open("w") as out:
        for member in deb_tar:
            if not member.name.endswith(".tar.xz"):
                continue
            inner_file = deb_tar.extractfile(member)
            with tarfile.open(fileobj=inner_file, mode="r|xz") as source_tar:
                for item in source_tar:
                    if not item.isfile() or item.size < MIN_DOC_BYTES:
                        continue
                    handle = source_tar.extractfile(item)
                    text = _is_text(handle.read()) if handle else None
                    if text is None or not text.strip():
                        continue
                    path = item.name.split("/", 1)[-1]
                    out.write(json.dumps({"path": path, "text": text}, ensure_ascii=False) + "\n")
                    kept += 1
    outer.wait()
    partial.rename(pool)
    print(f"  kernel pool: {kept} text files -> {pool}")
    return pool


_MAN_COMMENT = re.compile(r'^\.\s*\\"|^\'\\"|^\.\\"')
_MAN_ESCAPES = [
    (re.compile(r"\\f[BIRP]|\\f\(..|\\f\[[^\]]*\]"), ""),
    (re.compile(r"\\\(em|\\\(en"), "-"),
    (re.compile(r"\\\(aq"), "'"),
    (re.compile(r"\\\((lq|rq|dq)"), '"'),
    (re.compile(r"\\-"), "-"),
    (re.compile(r"\\&|\\c|\\:"), ""),
    (re.compile(r"\\e"), "\\\\"),
]
_MAN_MACRO = re.compile(r"^[.'](?:[A-Za-z]{1,3})\b\s*")


def man_to_text(source: str) -> str:
    """Rough groff -> prose: drop comments (license boilerplate) and macros, keep words."""
    lines = []
    for line in source.splitlines():
        if _MAN_COMMENT.match(line):
            continue
        if line.startswith((".", "'")):
            line = _MAN_MACRO.sub("", line)
            if not line or line.startswith((".", "'")):
                lines.append("")
                continue
        for pattern, replacement in _MAN_ESCAPES:
            line = pattern.sub(replacement, line)
        lines.append(line.replace('"', "") if line.count('"') == 2 else line)
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def extract_manpages(cache: Path, debs: Path) -> Path:
    """Man pages of every package as posts-to-be: `pool/man.jsonl` ({"path", "text"})."""
    pool = cache / "pool" / "man.jsonl"
    if pool.exists():
        return pool
    pool.parent.mkdir(parents=True, exist_ok=True)
    partial = pool.with_suffix(".partial")
    kept = 0
    with partial.open("w") as out:
        for package in MANPAGE_PACKAGES:
            deb = next(debs.glob(f"{package}_*.deb"))
            outer = subprocess.Popen(
                ["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE
            )
            assert outer.stdout is not None
            with tarfile.open(fileobj=outer.stdout, mode="r|") as deb_tar:
                for member in deb_tar:
                    if not member.isfile() or "/man/" not in member.name:
                        continue
                    handle = deb_tar.extractfile(member)
                    if handle is None:
                        continue
                    raw = handle.read()
                    if member.name.endswith(".gz"):
                        raw = gzip.decompress(raw)
                    text = _is_text(raw)
                    if text is None or text.startswith(".so "):
                        continue  # binary or a one-line redirect to another page
                    text = man_to_text(text)
                    if len(text) < 200:
                        continue
                    path = f"{package}/{member.name.split('/man/', 1)[1]}"
                    out.write(json.dumps({"path": path, "text": text}, ensure_ascii=False) + "\n")
                    kept += 1
            outer.wait()
    partial.rename(pool)
    print(f"  man-page pool: {kept} pages -> {pool}")
    return pool


def _pool_order(pool: Path) -> list[tuple[str, int, int]]:
    """(sort key, byte offset, line length) of every pool line, in sha256(path) order."""
    entries = []
    offset = 0
    with pool.open("rb") as handle:
        for line in handle:
            start = line.index(b'"path": "') + 9
            path = line[start : line.index(b'"', start)]
            entries.append((hashlib.sha256(path).hexdigest(), offset, len(line)))
            offset += len(line)
    entries.sort()
    return entries


def iter_pool(pool: Path) -> Iterator[dict]:
    """Pool records in the fixed pseudo-random order (nested samples across sizes)."""
    with pool.open("rb") as handle:
        for _, offset, length in _pool_order(pool):
            handle.seek(offset)
            yield json.loads(handle.read(length))


def write_smoke_pools(cache: Path, mib: int) -> tuple[Path, Path]:
    """Generated stand-ins for `extract_kernel` and `extract_manpages`, same pool format.

    About 1.3x the kernel budget of C files (so the budget, not the pool, ends the
    kernel shards, as with the real pool), one file over `corpus_shards.DOC_CAP_BYTES` per
    MiB (so `document_parts` splits something), and prose pages worth about 10% of the
    corpus for posts.
    """
    pools = cache / "smoke-pool"
    pools.mkdir(parents=True, exist_ok=True)
    rng = random.Random(mib)
    kernel, man = pools / f"kernel-{mib}.jsonl", pools / f"man-{mib}.jsonl"
    with kernel.open("w") as out:
        size, index = 0, 0
        while size < 1.3 * mib * MIB:
            functions = 400 if index % 300 == 0 else rng.randint(2, 30)
            name = f"drivers/smoke/s{index}.c"
            item = smoke_corpus.source_file(rng, name, index, index, functions)
            out.write(json.dumps({"path": item.name, "text": item.text}) + "\n")
            size, index = size + len(item.text), index + 1
    with man.open("w") as out:
        size, index = 0, 0
        while size < 0.1 * mib * MIB:
            text = smoke_corpus.prose(rng, rng.randint(2_000, 15_000))
            out.write(json.dumps({"path": f"smoke/man{index % 8}/page{index}.1", "text": text}))
            out.write("\n")
            size, index = size + len(text), index + 1
    return kernel, man

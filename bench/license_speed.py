"""Throughput of the license + copyright scan, in MB/s on one core.

Run from the repository root: `python bench/license_speed.py [--mb 50]`. The corpus is
real text found on the machine (Python sources in the virtualenv, /usr/share/doc,
/usr/share/common-licenses), read into memory first so only scanning is timed. It runs
in one process, so the figure is per core; on a shared machine it is a lower bound.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transforms.copyrights import CopyrightScanner  # noqa: E402
from transforms.licenses import LicenseScanner  # noqa: E402
from transforms.rights import rights_verdict  # noqa: E402

SUFFIXES = {".py", ".pyi", ".txt", ".md", ".rst", ".c", ".h", ".html", ".js", ".cfg", ".toml", ""}
# License-dense worst case: whole license texts and heavily annotated files.
DENSE_ROOTS = (
    Path("/usr/share/common-licenses"),
    Path("../shared/data/licenses"),
    Path("../shared/data/copyrights"),
)
ROOTS = (
    Path(sys.prefix) / "lib",
    Path("/usr/share/common-licenses"),
    Path("/usr/share/doc"),
    Path("/usr/lib/python3"),
    Path("/usr/share"),
)


def collect(megabytes: float, roots: tuple[Path, ...] = ROOTS) -> list[str]:
    """Real files up to `megabytes`, deterministic order, small-to-medium files only."""
    budget = int(megabytes * 1_000_000)
    texts: list[str] = []
    seen: set[Path] = set()
    total = 0
    for root in roots:
        if not root.exists():
            continue
        for directory, _subdirs, files in sorted(os.walk(root)):
            for name in sorted(files):
                path = Path(directory, name)
                if path.suffix == ".yml" or path in seen or path.is_symlink():
                    continue
                if roots is ROOTS and path.suffix not in SUFFIXES:
                    continue
                seen.add(path)
                try:
                    size = path.stat().st_size
                    if not 0 < size < 2_000_000:
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                if b"\0" in data[:4096]:
                    continue  # binary
                texts.append(data.decode("utf-8", "replace"))
                total += len(data)
                if total >= budget:
                    return texts
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="corpus size in MB (default 50)")
    parser.add_argument(
        "--dense",
        action="store_true",
        help="license-dense worst case (license texts, ScanCode test files) instead of a "
        "mixed corpus; as large as those folders allow",
    )
    args = parser.parse_args(argv)

    texts = collect(args.mb, DENSE_ROOTS if args.dense else ROOTS)
    size_mb = sum(len(text.encode("utf-8", "surrogatepass")) for text in texts) / 1e6
    print(f"corpus: {len(texts)} files, {size_mb:.1f} MB")
    if size_mb < args.mb * 0.9:
        print(f"warning: only {size_mb:.1f} MB of text found (asked for {args.mb})")

    started = time.perf_counter()
    licenses, copyrights = LicenseScanner(), CopyrightScanner()
    print(f"scanner build: {time.perf_counter() - started:.2f} s")

    cpu_started, wall_started = time.process_time(), time.perf_counter()
    evidence_count = statement_count = 0
    for text in texts:
        evidence = licenses.scan(text)
        statements = copyrights.scan(text)
        rights_verdict(evidence, statements, "")
        evidence_count += len(evidence)
        statement_count += len(statements)
    cpu = time.process_time() - cpu_started
    wall = time.perf_counter() - wall_started
    print(f"evidence: {evidence_count}, copyright statements: {statement_count}")
    print(
        f"throughput: {size_mb / cpu:.1f} MB/s per core (CPU time {cpu:.1f} s), "
        f"{size_mb / wall:.1f} MB/s wall ({wall:.1f} s)"
    )
    print(f"load average during run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    try:
        import scancode  # noqa: F401
    except ImportError:
        print(
            "ScanCode toolkit not importable: no side-by-side ratio (reference: ~9 KB/s/core,"
            f" i.e. this run is ~{size_mb / cpu * 1000 / 9:.0f}x that figure)"
        )
    else:
        print("ScanCode is importable; a side-by-side run is not implemented here")
    return 0


if __name__ == "__main__":
    sys.exit(main())

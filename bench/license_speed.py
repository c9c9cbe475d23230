"""Throughput of the license + copyright scan, in MB/s on one core.

Run from the repository root: `python bench/license_speed.py [--mb 50]`, or with `--smoke`
(CI: 0.3 MB of generated prose and C files with license notices, `smoke_corpus.py`, the
same steps; its figures are not measurements). The corpus is
real text found on the machine (Python sources in the virtualenv, /usr/share/doc,
/usr/share/common-licenses), read into memory first so only scanning is timed. It runs
in one process, so the figure is per core; on a shared machine it is a lower bound.

With ScanCode installed (`pip install -e ".[scancode]"`), both scan the same sample of
that corpus (`--scancode-mb`, every k-th file) in the same run and the ratio is printed.
ScanCode runs as its API does for a file: license detection plus copyright detection.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import smoke_corpus  # noqa: E402

from transforms.licenses.copyrights import CopyrightScanner  # noqa: E402
from transforms.licenses.detect import LicenseScanner  # noqa: E402
from transforms.licenses.rights import rights_verdict  # noqa: E402

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
    parser.add_argument(
        "--scancode-mb",
        type=float,
        default=1.0,
        help="size of the sample both scan when ScanCode is installed (default 1; ScanCode "
        "takes minutes per MB)",
    )
    args = smoke_corpus.parse_args(parser, {"mb": 0.3, "scancode_mb": 0.05}, argv)

    if args.smoke:
        texts = smoke_corpus.take_megabytes(smoke_corpus.texts(dense=args.dense), args.mb)
    else:
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
    deep_share(texts, licenses)

    # typecode, imported with ScanCode, warns that it uses the system's libmagic.
    warnings.filterwarnings("ignore", category=UserWarning, module="typecode")
    try:
        import scancode.api  # noqa: F401
    except ImportError:
        print(
            "ScanCode toolkit not importable: no side-by-side ratio (reference: ~9 KB/s/core,"
            f" i.e. this run is ~{size_mb / cpu * 1000 / 9:.0f}x that figure). "
            'Install it with: pip install -e ".[scancode]"'
        )
    else:
        side_by_side(texts, args.scancode_mb)
    return 0


def deep_share(texts: list[str], licenses: LicenseScanner) -> None:
    """How much of this corpus the optional deep mode would send to ScanCode (not timed)."""
    from schemas.licenses import DeepScanSettings
    from transforms.licenses.deep import uncertainty

    settings = DeepScanSettings(engine="scancode")
    reasons: dict[str, int] = {}
    sent_bytes = 0
    for text in texts:
        license_words = functools.partial(licenses.windows, text)  # a list: truthy if any
        why = uncertainty(licenses.scan(text), text, license_words, settings)
        if why is not None and len(text) <= settings.max_chars:
            reasons[why] = reasons.get(why, 0) + 1
            sent_bytes += len(text.encode("utf-8", "surrogatepass"))
    sent = sum(reasons.values())
    total_bytes = sum(len(text.encode("utf-8", "surrogatepass")) for text in texts)
    detail = ", ".join(f"{why} {count}" for why, count in sorted(reasons.items()))
    print(
        f"deep mode (default settings) would send {sent}/{len(texts)} files "
        f"({sent / max(1, len(texts)):.1%}), {sent_bytes / 1e6:.1f} of {total_bytes / 1e6:.1f} MB,"
        f" to ScanCode ({detail or 'none'})"
    )


def sample(texts: list[str], megabytes: float) -> list[str]:
    """Every k-th text, k chosen so the sample is about `megabytes`: same mix of files."""
    total = sum(len(text.encode("utf-8", "surrogatepass")) for text in texts)
    step = max(1, math.floor(total / (megabytes * 1_000_000)))
    return texts[::step]


def fast_cpu_seconds(texts: list[str], at_least: float = 2.0) -> float:
    """CPU seconds for one pass over `texts`, averaged over passes adding up to `at_least`
    seconds: a 1 MB sample takes a few hundredths of a second, too short to time once."""
    licenses, copyrights = LicenseScanner(), CopyrightScanner()
    passes = 0
    started = time.process_time()
    while passes == 0 or time.process_time() - started < at_least:
        for text in texts:
            rights_verdict(licenses.scan(text), copyrights.scan(text), "")
        passes += 1
    return (time.process_time() - started) / passes


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def side_by_side(texts: list[str], megabytes: float) -> None:
    """The fast scan and ScanCode on the same sample, CPU time of each, and the ratio."""
    chosen = sample(texts, megabytes)
    size_mb = sum(len(text.encode("utf-8", "surrogatepass")) for text in chosen) / 1e6
    print(f"side by side with ScanCode on a sample: {len(chosen)} files, {size_mb:.2f} MB")
    resident, started = _resident_mb(), time.perf_counter()
    from licensedcode.cache import get_index
    from scancode.api import get_copyrights, get_licenses

    get_index()
    print(
        f"  ScanCode index load: {time.perf_counter() - started:.1f} s, "
        f"+{_resident_mb() - resident:,.0f} MiB resident (not counted below)"
    )
    fast = fast_cpu_seconds(chosen)
    with tempfile.TemporaryDirectory(prefix="license_speed_") as folder:
        paths = []
        for number, text in enumerate(chosen):
            path = Path(folder, f"{number:06d}.txt")
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
            paths.append(str(path))
        started = time.process_time()
        for number, path in enumerate(paths, 1):
            get_licenses(path)
            get_copyrights(path)
            if number % 50 == 0:
                print(f"  ScanCode: {number}/{len(paths)} files", flush=True)
        scancode_cpu = time.process_time() - started
    print(f"  this project: {size_mb / fast:.2f} MB/s per core (CPU {fast:.3f} s per pass)")
    print(
        f"  ScanCode:     {size_mb * 1000 / scancode_cpu:.1f} KB/s per core, "
        f"{len(chosen) / scancode_cpu:.2f} files/s (CPU {scancode_cpu:.1f} s)"
    )
    print(f"  ratio: this project is {scancode_cpu / fast:.0f}x faster on the same files")


if __name__ == "__main__":
    sys.exit(main())

"""Accuracy of the license and copyright detectors on ScanCode's labelled test files.

Run from the repository root: `python bench/license_eval.py [--data ../shared/data]`;
`--misses DIR` also writes every disagreeing file (licenses) and every missed or extra
holder (copyrights) as TSV, to group the misses by cause. `--deep` (needs the `scancode`
extra) evaluates the optional deep mode as the pipeline runs it: files the fast
detectors are unsure of go to ScanCode under the default `licenses.deep` settings.
Data: aboutcode-org/scancode-toolkit test data (CC-BY-4.0, Copyright (c) nexB Inc. and
others), copied under `../shared/data/` (see its README).

`python bench/license_eval.py --smoke` (CI) needs no `../shared/data`: it writes ~30
generated C files with license tags, notices and copyright lines (`smoke_corpus.py`) and
their `.yml` expectations in ScanCode's layout to a temporary folder and evaluates that
folder with the same code; its figures are not measurements.

License figures compare *sets of license ids*: the ScanCode keys of every expected
expression are mapped to SPDX ids with the ScanCode index shipped in `license-expression`,
operators are ignored, and `unknown*` reference keys are left out of both sides (the
detector does not try to report "some unnamed license is referenced here").
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import sys
import time
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import smoke_corpus  # noqa: E402
from license_expression import (  # noqa: E402
    get_license_index,
    get_scancode_licensing,
    get_spdx_licensing,
)

from transforms.licenses.copyrights import CopyrightScanner  # noqa: E402
from transforms.licenses.detect import LicenseScanner  # noqa: E402

IGNORED_KEYS = {"unknown", "unknown-license-reference", "unknown-spdx", "free-unknown"}
LICENSE_DIR = Path("licenses") / "scancode-datadriven"
COPYRIGHT_DIR = Path("copyrights") / "scancode-copyrights"
SMOKE_FILES = 30


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "replace")


def _key_to_spdx() -> dict[str, str]:
    return {
        entry["license_key"]: entry.get("spdx_license_key") or entry["license_key"]
        for entry in get_license_index()
    }


def _spdx_aliases() -> dict[str, str]:
    """Alternative SPDX ids (e.g. `OpenSSL` for ScanCode's `OpenSSL-standalone`) → main id."""
    aliases: dict[str, str] = {}
    for entry in get_license_index():
        main = entry.get("spdx_license_key")
        for other in entry.get("other_spdx_license_keys") or []:
            aliases.setdefault(other, main)
    return aliases


@lru_cache(maxsize=1)
def _scancode_licensing():
    return get_scancode_licensing()


@lru_cache(maxsize=1)
def _spdx_licensing():
    return get_spdx_licensing()


def expected_licenses(meta: dict, key_to_spdx: dict[str, str]) -> set[str]:
    licensing = _scancode_licensing()
    ids: set[str] = set()
    for expression in meta.get("license_expressions") or []:
        for key in licensing.license_keys(expression):
            if key not in IGNORED_KEYS:
                ids.add(key_to_spdx.get(key, key))
    return ids


def detected_licenses(evidence, aliases: dict[str, str]) -> set[str]:
    licensing = _spdx_licensing()
    ids: set[str] = set()
    for item in evidence:
        if not item.spdx:
            continue
        if item.kind in ("spdx_tag", "deep_match"):  # whole expressions
            try:
                ids.update(licensing.license_keys(item.spdx))
            except Exception:  # noqa: BLE001 - an unparsable tag counts as itself
                ids.add(item.spdx)
        else:
            ids.add(item.spdx)
    return {aliases.get(license_id, license_id) for license_id in ids}


class DeepDetector:
    """The fast scan, then ScanCode on what it is unsure of (as `ScanLicenses` does)."""

    def __init__(self, scanner: LicenseScanner) -> None:
        from schemas.licenses import DeepScanSettings
        from transforms.licenses.deep import ScanCodeEngine

        self.scanner = scanner
        self.settings = DeepScanSettings(engine="scancode")
        started = time.perf_counter()
        self.engine = ScanCodeEngine()
        print(f"ScanCode index load: {time.perf_counter() - started:.1f} s")
        self.outcomes: collections.Counter[str] = collections.Counter()
        self.engine_seconds = 0.0

    def scan(self, text: str):
        from transforms.licenses.deep import second_opinion

        fast = self.scanner.scan(text)
        started = time.process_time()
        outcome = second_opinion(
            self.engine, text, fast, lambda: bool(self.scanner.windows(text)), self.settings
        )
        self.outcomes.update(outcome.reasons or ["confident"])
        if outcome.reasons:
            self.engine_seconds += time.process_time() - started
        return outcome.evidence

    def report(self, files: int) -> None:
        sent = files - self.outcomes["confident"]
        print(
            f"  deep mode: {sent}/{files} files ({sent / max(1, files):.1%}) sent to ScanCode, "
            f"{self.engine_seconds:.0f} CPU s there"
        )
        for reason, count in sorted(self.outcomes.items()):
            print(f"    {reason:34} {count:5d}")


def evaluate_licenses(root: Path, misses_path: Path | None = None, deep: bool = False) -> None:
    key_to_spdx = _key_to_spdx()
    aliases = _spdx_aliases()
    scanner = LicenseScanner()
    detector = DeepDetector(scanner) if deep else scanner
    rows = []
    started = time.perf_counter()
    for meta_path in sorted(root.rglob("*.yml")):
        target = meta_path.with_suffix("")
        if not target.is_file():
            continue
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8", errors="replace")) or {}
        expected = {aliases.get(i, i) for i in expected_licenses(meta, key_to_spdx)}
        detected = detected_licenses(detector.scan(_read(target)), aliases)
        rows.append((target.relative_to(root), expected, detected))
        if deep and len(rows) % 100 == 0:
            print(f"  {len(rows)} files ({time.perf_counter() - started:.0f} s)", flush=True)
    elapsed = time.perf_counter() - started

    single = [row for row in rows if len(row[1]) == 1]
    exact_single = sum(1 for _, expected, detected in single if expected == detected)
    exact_all = sum(1 for _, expected, detected in rows if expected == detected)
    print(f"License files: {len(rows)} ({elapsed:.1f} s)")
    if isinstance(detector, DeepDetector):
        detector.report(len(rows))
    print(
        f"  exact set agreement, files expecting exactly one license: "
        f"{exact_single}/{len(single)} = {exact_single / max(1, len(single)):.1%}  (target >= 90%)"
    )
    text_single = [row for row in single if row[0].parent.name != "nuget"]
    exact_text = sum(1 for _, expected, detected in text_single if expected == detected)
    print(
        f"  same, without the {len(single) - len(text_single)} nuget/ files (a bare URL that "
        f"ScanCode maps with a URL table): {exact_text}/{len(text_single)} = "
        f"{exact_text / max(1, len(text_single)):.1%}"
    )
    spdx_single = [
        row
        for row in text_single
        if not any(license_id.startswith("LicenseRef-scancode-") for license_id in row[1])
    ]
    exact_spdx = sum(1 for _, expected, detected in spdx_single if expected == detected)
    print(
        f"  same, also without the {len(text_single) - len(spdx_single)} files expecting a "
        f"ScanCode-only key (LicenseRef-scancode-*, no SPDX text): {exact_spdx}/"
        f"{len(spdx_single)} = {exact_spdx / max(1, len(spdx_single)):.1%}  (informational)"
    )
    print(
        f"  exact set agreement, all files: {exact_all}/{len(rows)} = "
        f"{exact_all / max(1, len(rows)):.1%}"
    )
    counts = collections.Counter(i for _, expected, _ in rows for i in expected)
    print(f"  {'license':36} {'files':>5} {'precision':>9} {'recall':>7}")
    for license_id, count in counts.most_common(20):
        true_positive = sum(1 for _, e, d in rows if license_id in e and license_id in d)
        predicted = sum(1 for _, _, d in rows if license_id in d)
        precision = true_positive / predicted if predicted else 0.0
        print(f"  {license_id:36} {count:5d} {precision:9.1%} {true_positive / count:7.1%}")
    confusions = collections.Counter(
        (tuple(sorted(e)), tuple(sorted(d))) for _, e, d in text_single if e != d
    )
    print("  most common misses on single-license files (expected -> detected):")
    for (expected, detected), count in confusions.most_common(40):
        print(f"    {count:3d}  {','.join(expected)} -> {','.join(detected) or '(nothing)'}")
    if misses_path is not None:
        _write_license_misses(misses_path, rows)


def _write_license_misses(path: Path, rows: list[tuple[Path, set[str], set[str]]]) -> None:
    """One tab-separated line per disagreeing file, to group misses by cause."""
    with path.open("w", encoding="utf-8") as out:
        for name, expected, detected in rows:
            if expected != detected:
                missing = ",".join(sorted(expected - detected)) or "-"
                extra = ",".join(sorted(detected - expected)) or "-"
                out.write(f"{name}\t{len(expected)}\tmissing={missing}\textra={extra}\n")


def _relaxed(holder: str) -> str:
    return " ".join("".join(c for c in holder.casefold() if c.isalnum() or c.isspace()).split())


# Letters NFKD does not decompose, spelled as ScanCode's expectations spell them.
_ASCII_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "ł": "l", "Ł": "L"}
)


def _folded(holder: str) -> str:
    """`_relaxed` without diacritics. ScanCode's expected holders are folded to ASCII
    ("Tim-Philipp Muller"); this project keeps names as found ("Müller"), as the
    license issue asks, so an exact comparison counts every accented name as a miss."""
    decomposed = unicodedata.normalize("NFKD", holder.translate(_ASCII_LETTERS))
    return _relaxed("".join(c for c in decomposed if not unicodedata.combining(c)))


def evaluate_copyrights(root: Path, misses_path: Path | None = None) -> None:
    scanner = CopyrightScanner()
    expected_total = found_exact = found_relaxed = found_folded = 0
    predicted_total = predicted_correct = 0
    files = 0
    misses: list[tuple[str, str]] = []
    extras: list[tuple[str, str]] = []
    folded_only: list[tuple[str, str, str]] = []  # (file, expected, found): equal sans accents
    for meta_path in sorted(root.rglob("*.yml")):
        target = meta_path.with_suffix("")
        if not target.is_file():
            continue
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8", errors="replace")) or {}
        if "holders" not in (meta.get("what") or ["holders"]):
            continue
        files += 1
        expected = [" ".join(h.split()) for h in meta.get("holders") or []]
        found = [
            " ".join(h.split())
            for statement in scanner.scan(_read(target))
            for h in statement.holders
        ]
        found_relaxed_set = {_relaxed(h) for h in found}
        found_by_folded = {_folded(h): h for h in found}
        expected_relaxed_set = {_relaxed(h) for h in expected}
        for holder in expected:
            expected_total += 1
            if holder in found:
                found_exact += 1
            if _folded(holder) in found_by_folded:
                found_folded += 1
            if _relaxed(holder) in found_relaxed_set:
                found_relaxed += 1
            else:
                misses.append((target.name, holder))
                if _folded(holder) in found_by_folded:
                    folded_only.append((target.name, holder, found_by_folded[_folded(holder)]))
        predicted_total += len(found)
        predicted_correct += sum(1 for h in found if _relaxed(h) in expected_relaxed_set)
        extras.extend((target.name, h) for h in found if _relaxed(h) not in expected_relaxed_set)
    print(f"Copyright files checked for holders: {files}; expected holders: {expected_total}")
    print(
        f"  holder recall, exact string: {found_exact / max(1, expected_total):.1%}  "
        f"(target >= 85%)"
    )
    print(
        f"  holder recall, case/punctuation-insensitive: "
        f"{found_relaxed / max(1, expected_total):.1%}"
    )
    print(
        f"  holder recall, also ignoring diacritics (ScanCode expects ASCII-folded names): "
        f"{found_folded / max(1, expected_total):.1%}; the {len(folded_only)} holders this "
        f"adds, as expected / as found: "
        + "; ".join(f"{expected} / {found}" for _, expected, found in folded_only[:6])
    )
    print(
        f"  holder precision (insensitive): {predicted_correct / max(1, predicted_total):.1%}"
        f" of {predicted_total} reported"
    )
    for name, holder in misses[:15]:
        print(f"    missed in {name}: {holder!r}")
    if misses_path is not None:
        with misses_path.open("w", encoding="utf-8") as out:
            out.writelines(f"{name}\tmissed\t{holder}\n" for name, holder in misses)
            out.writelines(f"{name}\textra\t{holder}\n" for name, holder in extras)
            out.writelines(
                f"{name}\tfound_without_accents\t{expected}\t{found}\n"
                for name, expected, found in folded_only
            )


def write_smoke_data(data: Path, count: int = SMOKE_FILES) -> None:
    """Generated files with `.yml` expectations in the layout of ScanCode's test data.

    Each file goes to both trees: `license_expressions` (ScanCode keys) beside it under
    licenses/, `what`/`copyrights`/`holders` under copyrights/, as ScanCode writes them.
    """
    for root in (data / LICENSE_DIR / "smoke", data / COPYRIGHT_DIR):
        root.mkdir(parents=True, exist_ok=True)
    for item in smoke_corpus.source_files(count):
        licenses = {"license_expressions": list(item.license_expressions)}
        copyrights = {
            "what": ["copyrights", "holders"],
            "copyrights": list(item.copyrights),
            "holders": list(item.holders),
        }
        for root, meta in (
            (data / LICENSE_DIR / "smoke", licenses if item.license_expressions else {}),
            (data / COPYRIGHT_DIR, copyrights),
        ):
            (root / item.name).write_text(item.text, encoding="utf-8")
            (root / f"{item.name}.yml").write_text(yaml.safe_dump(meta), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("../shared/data"),
        help="folder holding licenses/ and copyrights/ (default ../shared/data)",
    )
    parser.add_argument(
        "--misses",
        type=Path,
        default=None,
        help="folder to write license_misses.tsv and holder_misses.tsv into (for analysis)",
    )
    parser.add_argument(
        "--deep",
        action="store_true",
        help="also send the files the fast detectors are unsure of to ScanCode (the "
        "pipeline's optional deep mode; needs the scancode extra, takes ~30 minutes)",
    )
    parser.add_argument("--skip-copyrights", action="store_true", help="evaluate licenses only")
    args = smoke_corpus.parse_args(parser, {}, argv)
    if args.deep and importlib.util.find_spec("licensedcode") is None:
        print('error: --deep needs ScanCode: pip install -e ".[scancode]"', file=sys.stderr)
        return 2
    if not args.smoke:
        return evaluate(args, args.data)
    with smoke_corpus.scratch("license_eval") as data:
        write_smoke_data(data)
        return evaluate(args, data)


def evaluate(args: argparse.Namespace, data: Path) -> int:
    """Both evaluations on `data` (holding licenses/ and copyrights/); 2 if it is missing."""
    license_root = data / LICENSE_DIR
    copyright_root = data / COPYRIGHT_DIR
    missing = [str(p) for p in (license_root, copyright_root) if not p.is_dir()]
    if missing:
        print(
            f"error: evaluation data not found: {', '.join(missing)}. Run from the "
            f"repository root with ../shared/data present, or pass --data.",
            file=sys.stderr,
        )
        return 2
    if args.smoke:
        print(f"Data: {SMOKE_FILES} generated files in ScanCode's layout ({data})")
    else:
        print("Data: aboutcode-org/scancode-toolkit test data, CC-BY-4.0, (c) nexB Inc. and others")
    if args.misses is not None:
        args.misses.mkdir(parents=True, exist_ok=True)
    evaluate_licenses(license_root, args.misses and args.misses / "license_misses.tsv", args.deep)
    if not args.skip_copyrights:
        evaluate_copyrights(copyright_root, args.misses and args.misses / "holder_misses.tsv")
    return 0


if __name__ == "__main__":
    sys.exit(main())

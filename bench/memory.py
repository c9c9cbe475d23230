"""Where a worker's memory goes: RSS after each engine is built, then growth per bundle.

    python bench/memory.py [--mb 100] [--bundle-docs 1000]
    python bench/memory.py --smoke                         # CI: does it still run?

Why in one process and not a Beam run: an SDK worker is one Python process that builds
every text stage's engine (the reader's identifier masker and the PII stage share one
PII engine, `transforms/pii/shared.py`), then runs bundles through them. Building the
same objects here, in the order a worker does, attributes its resident memory to each
of them; feeding the same cores bundle by bundle shows what grows with documents (caches,
memo tables) rather than with the engines. `e2e.py` measures the whole run from outside.

Each line reports RSS (resident, as `ps` shows it), and USS/PSS from
`/proc/self/smaps_rollup`: what this process alone holds, and its share of pages it
shares with others; after a fork, the engines' pages stay shared until written.

Corpus: generated offline (`smoke_corpus.py` prose and source files, with contact lines,
cards and SSNs planted by `corpus_planting.py` at the e2e corpus's rates), so the PII
engine sees distinct values as the e2e corpus makes it see them.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import smoke_corpus  # noqa: E402
from corpus_planting import PiiFactory, inject_pii  # noqa: E402

DEMO_CONFIG = REPO_ROOT / "configs" / "demo.yaml"
KIB = 1024
# The e2e corpus's planting rates (corpus_build.py): most documents carry no PII.
PII_RATES = {"contact": 0.3, "card": 0.02, "ssn": 0.02}


def memory_kib() -> dict[str, int]:
    """RSS, and Pss/USS from smaps_rollup (Linux), in KiB."""
    figures = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            figures["rss"] = int(line.split()[1])
    rollup = Path("/proc/self/smaps_rollup")
    if rollup.exists():
        fields = {}
        for line in rollup.read_text().splitlines()[1:]:
            name, value, *_ = line.split()
            fields[name.rstrip(":")] = int(value)
        figures["pss"] = fields.get("Pss", 0)
        figures["uss"] = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return figures


class Ledger:
    """Prints each step's memory and its growth over the step before."""

    def __init__(self) -> None:
        self.last = memory_kib()
        print(f"{'step':<44} {'RSS MiB':>8} {'+MiB':>7} {'USS MiB':>8} {'PSS MiB':>8} {'s':>6}")
        self.show("interpreter + bench modules", 0.0)

    def show(self, step: str, seconds: float) -> None:
        now = memory_kib()
        grew = (now["rss"] - self.last["rss"]) / KIB
        print(
            f"{step:<44} {now['rss'] / KIB:>8.1f} {grew:>+7.1f} "
            f"{now.get('uss', 0) / KIB:>8.1f} {now.get('pss', 0) / KIB:>8.1f} {seconds:>6.2f}",
            flush=True,
        )
        self.last = now

    def step(self, name: str, build: Callable[[], object]) -> object:
        started = time.perf_counter()
        built = build()
        gc.collect()
        self.show(name, time.perf_counter() - started)
        return built


def corpus(megabytes: float, seed: int = 7) -> list[str]:
    factory = PiiFactory(random.Random(seed))
    texts = smoke_corpus.take_megabytes(smoke_corpus.texts(seed), megabytes)
    return [inject_pii(text, PII_RATES, factory)[0] for text in texts]


def _import(module: str) -> Callable[[], object]:
    return lambda: __import__(module)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=100, help="MB of text fed (default 100)")
    parser.add_argument("--bundle-docs", type=int, default=1000, help="documents per bundle")
    args = smoke_corpus.parse_args(parser, {"mb": 2, "bundle_docs": 100}, argv)

    ledger = Ledger()
    texts: list[str] = ledger.step("generated corpus, held in memory", lambda: corpus(args.mb))  # type: ignore[assignment]
    print(f"corpus: {len(texts):,} documents, {sum(map(len, texts)) / 1e6:.1f} M characters")
    ledger.step("import apache_beam", _import("apache_beam"))
    ledger.step("import pyarrow", _import("pyarrow"))
    from pipelines.run.config import load_config

    config = ledger.step("project modules + demo config", lambda: load_config(DEMO_CONFIG))
    policy = config.policy  # type: ignore[attr-defined]
    key = config.key_source.load()  # type: ignore[attr-defined]
    ledger.step("import presidio_analyzer", _import("presidio_analyzer"))
    ledger.step("import phonenumbers", _import("phonenumbers"))
    from transforms.pii.shared import shared_engine

    engine = ledger.step(
        "PII engine (Presidio + triggers + phone)", lambda: shared_engine(policy.pii)
    )
    from transforms.licenses.copyrights import CopyrightScanner
    from transforms.licenses.detect import LicenseScanner

    licenses = ledger.step("license scanner (fingerprints, rules)", LicenseScanner)
    copyrights = ledger.step("copyright scanner", CopyrightScanner)
    from transforms.dedup.core import MinHasher, sketch_texts

    hasher = ledger.step("MinHash hasher", lambda: MinHasher.from_settings(policy.dedup))

    print(f"\nbundles of {args.bundle_docs:,} documents through PII, licenses, copyright, MinHash")
    fed = 0
    for start in range(0, len(texts), args.bundle_docs):
        bundle = texts[start : start + args.bundle_docs]
        started = time.perf_counter()
        engine.scan_batch(bundle, key)  # type: ignore[attr-defined]
        for text in bundle:
            licenses.scan(text)  # type: ignore[attr-defined]
            copyrights.scan(text)  # type: ignore[attr-defined]
        sketch_texts(hasher, bundle)  # type: ignore[arg-type]
        fed += len(bundle)
        gc.collect()
        ledger.show(f"after {fed:,} documents", time.perf_counter() - started)
    print(f"PII engine memo entries at the end: {memo_sizes(engine)}")
    return 0


def memo_sizes(engine: object) -> str:
    """The engine's bounded memo tables (`transforms/pii/engine.py`): what grows with
    distinct values seen, up to their caps, rather than with documents."""
    inner = getattr(engine, "_engine", engine)
    windows = sum(len(known) for known in getattr(inner, "_window_results", {}).values())
    return f"{windows:,} window texts, {len(getattr(inner, '_tokens', {})):,} value tokens"


if __name__ == "__main__":
    sys.exit(main())

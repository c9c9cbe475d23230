"""Throughput of the PII stage against Presidio on the same documents, and their agreement.

Run from the repo root:  python bench/pii_speed.py [--mb 50] [--sample-mb 0.5]
                         python bench/pii_speed.py --smoke   # CI: does it still run?

The corpus is built offline from real text on this machine (licenses, /usr/share/doc,
man pages, Python sources) cut into ~8 KB documents, with synthetic personal data and
secrets injected at known places (1 document in 4). Presidio's AnalyzerEngine (same
recognizers, same model-free NLP engine, default lemma context enhancer) runs on whole
documents of a sample, because it is ~100x slower; this stage runs on the whole corpus.
Figures are MB of UTF-8 text per second of CPU time of this one process (= per core),
with wall-clock figures beside them because the machine is shared.

`--smoke` cuts its documents from generated text (`smoke_corpus.py`: prose and C files,
the same on every machine) instead of this machine's files, 0.3 MB with a 0.05 MB
Presidio sample; injection and every measurement are the same code. Its figures are not
measurements.
"""

from __future__ import annotations

import argparse
import gzip
import ipaddress
import random
import string
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

import phonenumbers  # noqa: E402
import smoke_corpus  # noqa: E402

from schemas.pii import PiiSettings  # noqa: E402
from transforms.pii.engine import LANGUAGE, PiiEngine, build_presidio_analyzer, raw_span_of  # noqa: E402

SOURCES = (
    "/usr/share/common-licenses",
    "/usr/share/doc",
    "/usr/share/man",
    "/root/.pyenv/versions/3.11.7/lib/python3.11",
    "/usr/lib/python3.11",
    "/work/venv/lib/python3.11/site-packages",
)
TEXT_SUFFIXES = {".py", ".txt", ".rst", ".md", ".html", ".gz", ""}
# Page-description and image formats are not training text (bzip2's manual.ps alone holds
# 37,000 coordinate pairs that look like phone numbers).
NOT_TEXT = (".ps", ".pdf", ".eps", ".svg", ".png", ".jpg", ".gif")
DOC_CHARS = 8192
KEY = b"bench-key-not-secret"


@dataclass(frozen=True)
class Injected:
    doc_index: int
    entity_type: str
    start: int
    end: int


def _read(path: Path) -> str | None:
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    if b"\x00" in raw[:4096]:
        return None
    return raw.decode("utf-8", errors="replace")


def _machine_texts() -> Iterator[str]:
    """The text files under SOURCES, in a deterministic order."""
    for root in SOURCES:
        for path in sorted(Path(root).rglob("*")):
            if not path.is_file() or path.suffix not in TEXT_SUFFIXES or path.is_symlink():
                continue
            if any(kind in path.name for kind in NOT_TEXT):
                continue
            text = _read(path)
            if text:
                yield text


def real_text_documents(target_bytes: int, texts: Iterable[str] | None = None) -> list[str]:
    """~8 KB documents cut from `texts` (default: real files), in a deterministic order."""
    documents: list[str] = []
    total = 0
    for text in _machine_texts() if texts is None else texts:
        if total >= target_bytes:
            return documents
        for start in range(0, len(text), DOC_CHARS):
            piece = text[start : start + DOC_CHARS]
            documents.append(piece)
            total += len(piece.encode("utf-8"))
    return documents


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    for check in string.digits:
        digits = [int(d) for d in body + check][::-1]
        total = sum(d if i % 2 == 0 else sum(divmod(d * 2, 10)) for i, d in enumerate(digits))
        if total % 10 == 0:
            return body + check
    raise AssertionError("unreachable")


def _iban(rng: random.Random) -> str:
    bban = "".join(rng.choice(string.digits) for _ in range(18))
    number = int((bban + "DE00").translate({ord(c): str(ord(c) - 55) for c in "DE"}))
    iban = f"DE{98 - number % 97:02d}{bban}"
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _phone(rng: random.Random) -> str:
    while True:
        area = rng.choice(["212", "415", "617", "312", "206", "303"])
        number = f"{area}-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number, "US")):
            return rng.choice([f"+1 {number}", f"({area}) {number[4:]}", number])


def _ipv4(rng: random.Random) -> str:
    while True:
        address = ipaddress.IPv4Address(rng.getrandbits(32))
        if address.is_global:
            return str(address)


def fake_value(entity_type: str, rng: random.Random) -> tuple[str, str]:
    """(lead-in words, value) for one injected entity."""
    name = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))
    if entity_type == "EMAIL_ADDRESS":
        return "write to", f"{name}.{rng.randint(1, 99)}@{rng.choice(['gmail.com', 'corp.de'])}"
    if entity_type == "PHONE_NUMBER":
        return "call me on", _phone(rng)
    if entity_type == "CREDIT_CARD":
        return "my card", _luhn_complete("4", 16, rng)
    if entity_type == "US_SSN":
        return "SSN:", f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    if entity_type == "IBAN_CODE":
        return "pay to IBAN", _iban(rng)
    if entity_type == "IP_ADDRESS":
        if rng.random() < 0.5:
            return "client", _ipv4(rng)
        return "client", str(ipaddress.IPv6Address((0x2A00 << 112) | rng.getrandbits(100)))
    if entity_type == "AWS_ACCESS_KEY":
        return "aws_key", "AKIA" + "".join(rng.choice(string.ascii_uppercase) for _ in range(16))
    if entity_type == "GITHUB_TOKEN":
        alphabet = string.ascii_letters + string.digits
        return "token", "ghp_" + "".join(rng.choice(alphabet) for _ in range(36))
    alphabet = string.ascii_letters + string.digits + "#!%"
    return "password =", "".join(rng.choice(alphabet) for _ in range(16))


INJECTED_TYPES = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "US_SSN",
    "IBAN_CODE",
    "IP_ADDRESS",
    "AWS_ACCESS_KEY",
    "GITHUB_TOKEN",
    "SECRET_VALUE",
)


def inject(documents: list[str], seed: int = 7) -> tuple[list[str], list[Injected]]:
    """Insert 1-3 values into every 4th document, each on its own line, and record where."""
    rng = random.Random(seed)
    out: list[str] = []
    truth: list[Injected] = []
    for index, text in enumerate(documents):
        if index % 4 == 0:
            for _ in range(rng.randint(1, 3)):
                entity = rng.choice(INJECTED_TYPES)
                lead, value = fake_value(entity, rng)
                cut = text.rfind("\n", 0, rng.randint(0, len(text))) + 1
                line = f"{lead} {value}\n"
                start = cut + len(lead) + 1
                truth = [
                    t
                    if t.doc_index != index or t.start < cut
                    else Injected(
                        t.doc_index, t.entity_type, t.start + len(line), t.end + len(line)
                    )
                    for t in truth
                ]
                truth.append(Injected(index, entity, start, start + len(value)))
                text = text[:cut] + line + text[cut:]
        out.append(text)
    return out, truth


def build_corpus(megabytes: float, smoke: bool = False) -> tuple[list[str], list[Injected]]:
    """Documents with injected values; `smoke`: cut from generated text, not local files."""
    texts = (text for _, text in smoke_corpus.texts()) if smoke else None
    return inject(real_text_documents(int(megabytes * 1_000_000), texts))


def _mb(texts: list[str]) -> float:
    return sum(len(t.encode("utf-8")) for t in texts) / 1e6


def _timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def compare_trigger_engines(documents: list[str]) -> None:
    """The trigger set on the same text with Hyperscan (one pass) and RE2 (pass per pattern).

    RE2 cannot report overlapping matches or run a pattern set with positions in one
    pass from Python, so this is its best case; Hyperscan reports every match end.
    """
    import hyperscan
    import re2

    from transforms.pii.engine import TRIGGERS

    data = [text.encode("utf-8") for text in documents]
    megabytes = sum(map(len, data)) / 1e6
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=[t.pattern for t in TRIGGERS],
        ids=list(range(len(TRIGGERS))),
        flags=[
            hyperscan.HS_FLAG_SOM_LEFTMOST | (hyperscan.HS_FLAG_CASELESS if t.caseless else 0)
            for t in TRIGGERS
        ],
    )
    matches = [0]

    def count(*_) -> None:
        matches[0] += 1

    _, _, hs_cpu = _timed(lambda: [database.scan(b, match_event_handler=count) for b in data])
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1  # triggers use raw UTF-8 byte ranges
    patterns = [
        re2.compile((b"(?i)" if t.caseless else b"") + t.pattern, options) for t in TRIGGERS
    ]
    re2_matches, _, re2_cpu = _timed(
        lambda: sum(1 for b in data for p in patterns for _ in p.finditer(b))
    )
    print(
        f"trigger scan on {megabytes:.1f} MB: hyperscan {megabytes / hs_cpu:.0f} MB/s "
        f"({matches[0]} match ends), re2 {megabytes / re2_cpu:.0f} MB/s ({re2_matches} matches)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="corpus size (default 50)")
    parser.add_argument("--sample-mb", type=float, default=0.5, help="Presidio sample size")
    parser.add_argument("--batch", type=int, default=64, help="documents per scan_batch call")
    args = smoke_corpus.parse_args(parser, {"mb": 0.3, "sample_mb": 0.05}, argv)

    documents, truth = build_corpus(args.mb, smoke=args.smoke)
    print(f"corpus: {len(documents)} documents, {_mb(documents):.1f} MB, {len(truth)} injected")
    compare_trigger_engines(documents[: max(1, len(documents) // 5)])
    settings = PiiSettings()
    engine, _, build_cpu = _timed(lambda: PiiEngine(settings))
    print(f"engine build: {build_cpu:.2f} s CPU")

    sample: list[str] = []
    step = max(1, len(documents) // max(1, int(args.sample_mb * 1e6 / DOC_CHARS)))
    sample = documents[::step][: max(1, int(args.sample_mb * 1e6 / DOC_CHARS))]
    baseline = build_presidio_analyzer(settings)  # Presidio's default context enhancer

    def presidio(text: str) -> list:
        results = baseline.analyze(
            text, language=LANGUAGE, entities=list(settings.entities), score_threshold=0.0
        )
        return [raw_span_of(r) for r in results]

    reference, ref_wall, ref_cpu = _timed(lambda: [presidio(t) for t in sample])
    sample_mb = _mb(sample)
    print(
        f"presidio (whole documents): {sample_mb:.2f} MB sample, "
        f"{sample_mb / ref_cpu:.3f} MB/s/core CPU ({sample_mb / ref_wall:.3f} MB/s wall)"
    )

    def run_fast() -> None:
        for start in range(0, len(documents), args.batch):
            engine.scan_batch(documents[start : start + args.batch], KEY)

    _, fast_wall, fast_cpu = _timed(run_fast)
    corpus_mb = _mb(documents)
    fast_rate, ref_rate = corpus_mb / fast_cpu, sample_mb / ref_cpu
    print(
        f"this stage (full scan incl. tokens): {corpus_mb:.1f} MB, "
        f"{fast_rate:.2f} MB/s/core CPU ({corpus_mb / fast_wall:.2f} MB/s wall)"
    )
    print(f"speed-up: {fast_rate / ref_rate:.0f}x (CPU time per MB)")

    fast_raw = engine.raw_spans_batch(sample)
    threshold = settings.score_threshold
    raw_ref = {
        (i, s.entity_type, s.start, s.end) for i, spans in enumerate(reference) for s in spans
    }
    raw_fast = {
        (i, s.entity_type, s.start, s.end) for i, spans in enumerate(fast_raw) for s in spans
    }
    final_ref = {
        (i, f.entity_type, f.start, f.end)
        for i, t in enumerate(sample)
        for f in engine._finalise(t, reference[i], KEY)
    }
    final_fast = {
        (i, f.entity_type, f.start, f.end)
        for i, t in enumerate(sample)
        for f in engine._finalise(t, fast_raw[i], KEY)
    }
    print(
        f"agreement, raw Presidio results (all scores): "
        f"{len(raw_ref & raw_fast) / max(1, len(raw_ref)):.4f} of {len(raw_ref)}"
    )
    print(
        f"agreement, findings (score >= {threshold}, allow-lists, filters): "
        f"{len(final_ref & final_fast) / max(1, len(final_ref)):.4f} of {len(final_ref)}"
    )
    missed = sorted(raw_ref - raw_fast)[:10]
    extra = sorted(raw_fast - raw_ref)[:10]
    if missed or extra:
        print(f"  raw missed (doc, type, start, end): {missed}")
        print(f"  raw extra: {extra}")


if __name__ == "__main__":
    main()

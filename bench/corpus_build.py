"""Build the end-to-end benchmark corpus offline, from real Debian text.

    python bench/corpus_build.py --mb 50 [--cache bench/.cache]
    python bench/corpus_build.py --smoke [--mb 1]      # generated pools, no download

`--smoke` (CI, and `e2e.py --smoke`) builds the same layout from generated pools
(`smoke_corpus.py`: C files with license notices, prose pages) instead of the Debian
packages: no network, a 1 MiB corpus in a second, in a temporary folder unless
`--cache` is given (then as `smoke-corpus-<mib>/`, beside and apart from real corpora).

Why real text: synthetic filler makes every stage look faster or slower than it
is (PII regexes, license markers and MinHash all depend on what the words are).
The corpus is the Linux kernel source (`linux-source-6.1`, C, headers, Kconfig,
Documentation) and manual pages in eleven languages (`manpages*`), fetched once
with `apt-get download` and kept in the cache.

What the corpus holds, and why:

* `kernel/`: one kernel file = one JSONL document (an `open_source` source).
  Files over `DOC_CAP_BYTES` are split at line breaks into parts of at most that
  size, and only their first `MAX_PARTS` parts are kept: 84 generated register
  headers (amdgpu) hold 335 MiB and would otherwise dominate the corpus, while
  capping every file at 64 KiB leaves only 757 MiB of kernel text, short of 1 GiB.
* `posts/`: man-page sections as forum posts with authors (a `user_input`
  source, so the consent registry is consulted for every post).
* injected personal data at known documents: emails and phone numbers (redact),
  a few card numbers and SSNs (reject), recorded in `truth.json`.
* planted near-duplicates: copies of documents with a few word edits, in a
  separate shard, recorded in `truth.json` with the original's locator.

Documents are chosen in a fixed pseudo-random order (sha256 of the path), so a
smaller corpus is a uniform sample of the same material, and a 250 MiB corpus
is contained in the 500 MiB one: the memory-scaling runs differ in size only.
Sizes are MiB (2**20 bytes) of UTF-8 document text.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import random
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "bench"))

import smoke_corpus  # noqa: E402

DEFAULT_CACHE = REPO_ROOT / "bench" / ".cache"
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
# Generated headers (amdgpu register maps) reach 24 MB; parts keep documents
# shaped like ordinary source files and under the run's document limit.
DOC_CAP_BYTES = 64 * 1024
MAX_PARTS = 16
MIN_DOC_BYTES = 64
SHARD_BYTES = 8 * MIB
POSTS_SHARE = 0.04
DUPLICATE_SHARE = 0.03
POST_CHUNK_BYTES = 6 * 1024
USERS = 2000
MAX_DOCUMENT_BYTES = 200_000
CORPUS_FORMAT_VERSION = 2


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def doc_id(source_id: str, locator: str) -> str:
    """The pipeline's id rule (docs/outputs.md): sha256(source_id + US + locator), 32 hex chars."""
    return _sha(f"{source_id}\x1f{locator}")[:32]


# ---------------------------------------------------------------- download + pool


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
    kernel shards, as with the real pool), one file over `DOC_CAP_BYTES` per MiB (so
    `_parts` splits something), and prose pages worth about 10% of the corpus for posts.
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


# ---------------------------------------------------------------- personal data


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit, so card recognisers accept the number."""
    total = 0
    for index, char in enumerate(reversed(prefix)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return prefix + str((10 - total % 10) % 10)


@dataclass
class PiiFactory:
    """Invented, well-formed personal data; every value is recorded in the truth file."""

    rng: random.Random
    first = ("maria", "jonas", "aiko", "li", "omar", "sofia", "pavel", "grace", "ravi", "ines")
    last = ("lopez", "weber", "tanaka", "chen", "haddad", "rossi", "novak", "okafor", "iyer")
    domains = ("northwind-mail.com", "example-post.org", "fabrikam.net", "contoso-mail.de")

    def email(self) -> str:
        r = self.rng
        local = f"{r.choice(self.first)}.{r.choice(self.last)}{r.randint(1, 999)}"
        return f"{local}@{r.choice(self.domains)}"

    def phone(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            return f"+1 (415) 555-{r.randint(100, 199):04d}"
        return f"+44 20 7946 {r.randint(0, 999):04d}"

    def card(self) -> str:
        digits = luhn_complete("4" + "".join(str(self.rng.randint(0, 9)) for _ in range(14)))
        return " ".join(digits[i : i + 4] for i in range(0, 16, 4))

    def ssn(self) -> str:
        r = self.rng
        return f"{r.randint(101, 665):03d}-{r.randint(10, 99):02d}-{r.randint(1000, 9999):04d}"


@dataclass
class Truth:
    """What was planted where, so the run's ledger can be checked against it."""

    pii: list[dict] = field(default_factory=list)
    near_duplicates: list[dict] = field(default_factory=list)


def inject_pii(
    text: str, kind_rates: dict[str, float], factory: PiiFactory
) -> tuple[str, list[dict]]:
    """Insert a contact line (and rarely a card or SSN) at a line break inside the text."""
    rng = factory.rng
    planted: list[dict] = []
    additions = []
    if rng.random() < kind_rates["contact"]:
        email, phone = factory.email(), factory.phone()
        additions.append(f"Contact: {email}, phone {phone}.")
        planted += [{"type": "EMAIL_ADDRESS"}, {"type": "PHONE_NUMBER"}]
    if rng.random() < kind_rates["card"]:
        additions.append(f"Card number {factory.card()} was used for the order.")
        planted.append({"type": "CREDIT_CARD"})
    if rng.random() < kind_rates["ssn"]:
        additions.append(f"Employee SSN {factory.ssn()} on file.")
        planted.append({"type": "US_SSN"})
    if not additions:
        return text, []
    lines = text.split("\n")
    at = rng.randint(0, len(lines))
    lines[at:at] = additions
    return "\n".join(lines), planted


def near_copy(text: str, rng: random.Random, edits: int = 4) -> str:
    """A copy with a few word substitutions, deletions and insertions."""
    words = text.split(" ")
    for _ in range(edits):
        at = rng.randrange(len(words))
        choice = rng.random()
        if choice < 0.4:
            words[at] = rng.choice(("kernel", "buffer", "value", "driver", "option", "page"))
        elif choice < 0.7 and len(words) > 1:
            del words[at]
        else:
            words.insert(at, rng.choice(("also", "now", "then", "only")))
    return " ".join(words)


# ---------------------------------------------------------------- shards


class ShardWriter:
    """gzip JSONL shards of about SHARD_BYTES of text; tracks each record's locator."""

    def __init__(self, directory: Path, prefix: str) -> None:
        self.directory = directory
        self.prefix = prefix
        directory.mkdir(parents=True, exist_ok=True)
        self.index = -1
        self.handle: gzip.GzipFile | None = None
        self.line = 0
        self.text_bytes = 0
        self.documents = 0
        self._shard_bytes = SHARD_BYTES

    def _roll(self) -> None:
        if self.handle:
            self.handle.close()
        self.index += 1
        self.name = f"{self.prefix}-{self.index:05d}.jsonl.gz"
        # Level 1: the corpus is rebuilt per size; the pipeline's gzip cost is the same.
        self.handle = gzip.open(  # noqa: SIM115 - one open shard at a time, closed on roll
            self.directory / self.name, "wb", compresslevel=1
        )
        self.line = 0
        self._shard_bytes = 0

    def write(self, record: dict, text_bytes: int) -> str:
        """Write one record; return its locator (`shard:L<line>`, the pipeline's rule)."""
        if self.handle is None or self._shard_bytes >= SHARD_BYTES:
            self._roll()
        assert self.handle is not None
        self.handle.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        self.line += 1
        self._shard_bytes += text_bytes
        self.text_bytes += text_bytes
        self.documents += 1
        return f"{self.name}:L{self.line}"

    def close(self) -> None:
        if self.handle:
            self.handle.close()


def _parts(text: str) -> Iterator[tuple[int, str]]:
    """(part number, text) of at most DOC_CAP_BYTES each, cut at line breaks."""
    data = text.encode("utf-8")
    start = 0
    for number in range(MAX_PARTS):
        if start >= len(data):
            return
        cut = data[start : start + DOC_CAP_BYTES]
        if start + DOC_CAP_BYTES < len(data):
            newline = cut.rfind(b"\n")
            cut = cut[: newline + 1] if newline > 0 else cut
        start += len(cut)
        part = cut.decode("utf-8", errors="ignore")
        if part.strip():
            yield number, part


def _post_chunks(text: str) -> Iterator[str]:
    """Man page -> posts of at most POST_CHUNK_BYTES, cut at paragraph breaks."""
    current: list[str] = []
    size = 0
    for paragraph in text.split("\n\n"):
        length = len(paragraph.encode("utf-8")) + 2
        if current and size + length > POST_CHUNK_BYTES:
            yield "\n\n".join(current)
            current, size = [], 0
        current.append(paragraph[: POST_CHUNK_BYTES * 2])
        size += length
    if current:
        yield "\n\n".join(current)


@dataclass(frozen=True)
class BuiltCorpus:
    directory: Path
    config: Path
    text_mib: float
    documents: int
    disk_mib: float


def _users(rng: random.Random, factory: PiiFactory) -> list[dict]:
    statuses = rng.choices(
        ("granted", "withdrawn", "refused", "absent"), weights=(92, 3, 2, 3), k=USERS
    )
    return [
        {"user_id": f"u-{i:05d}", "email": factory.email(), "status": status}
        for i, status in enumerate(statuses)
    ]


def _write_consent(path: Path, users: list[dict]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["subject_kind", "subject_id", "status", "purposes", "granted_at", "withdrawn_at"]
        )
        for user in users:
            if user["status"] == "absent":
                continue
            withdrawn = "2026-10-15T09:30:00Z" if user["status"] == "withdrawn" else ""
            writer.writerow(
                ["email", user["email"], user["status"], "training", "2025-12-01T00:00:00Z",
                 withdrawn]
            )  # fmt: skip


def _write_config(directory: Path, name: str) -> Path:
    config = {
        "name": name,
        "policy": str(REPO_ROOT / "configs" / "policy.yaml"),
        "output": "out",
        "hmac_key": {"file": "bench-hmac.key"},
        "limits": {"max_document_bytes": MAX_DOCUMENT_BYTES},
        "consent": {"registry": "consent.csv", "purpose": "training"},
        "sources": [
            {
                "id": "kernel-src",
                "type": "open_source",
                "format": "jsonl",
                "paths": ["kernel/*.jsonl.gz"],
                "fields": {"text": "text", "id": "path", "metadata": ["path"]},
                "declared_license": "GPL-2.0-only",
                "legal_basis": "legitimate_interests",
                "priority": 10,
                "evidence": {
                    "license": "GPL-2.0-only",
                    "license_url": "https://www.kernel.org/doc/html/latest/process/license-rules.html",
                    "legitimate_interests_assessment_ref": "LIA-BENCH-001",
                    "jurisdiction": "US",
                },
            },
            {
                "id": "forum-posts",
                "type": "user_input",
                "format": "jsonl",
                "paths": ["posts/*.jsonl.gz"],
                "fields": {"text": "text", "id": "post_id", "metadata": ["created_at", "thread"]},
                "subjects": {"email": "author_email", "user_id": "author_id"},
                "collected_at_field": "created_at",
                "declared_license": "LicenseRef-bench-forum-terms",
                "legal_basis": "consent",
                "priority": 30,
                "evidence": {
                    "authorisation_ref": "Bench forum terms v1: training opt-in, consent.csv",
                    "jurisdiction": "EU",
                },
            },
        ],
    }
    import yaml

    path = directory / "bench.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    # Bench-only key: the corpus is invented, so a fixed public key is fine here.
    (directory / "bench-hmac.key").write_text("bench-only-hmac-key-not-a-secret-0123456789\n")
    return path


def build_corpus(cache: Path, mib: int, seed: int = 7, smoke: bool = False) -> BuiltCorpus:
    """Build (or reuse) `cache/corpus-<mib>/` with shards, truth, consent and config.

    `smoke`: from `write_smoke_pools` (no download), as `cache/smoke-corpus-<mib>/`.
    """
    directory = cache / f"{'smoke-' if smoke else ''}corpus-{mib}"
    stamp = directory / "corpus.json"
    if stamp.exists():
        meta = json.loads(stamp.read_text())
        if meta.get("format_version") == CORPUS_FORMAT_VERSION:
            return BuiltCorpus(
                directory,
                directory / "bench.yaml",
                meta["text_mib"],
                meta["documents"],
                meta["disk_mib"],
            )
    if directory.exists():
        shutil.rmtree(directory)
    if smoke:
        kernel_pool, man_pool = write_smoke_pools(cache, mib)
    else:
        debs = download_packages(cache)
        kernel_pool = extract_kernel(cache, debs)
        man_pool = extract_manpages(cache, debs)
    print(f"  building {directory.name} ...", flush=True)

    rng = random.Random(seed)
    factory = PiiFactory(rng)
    truth = Truth()
    target = mib * MIB
    posts_budget = int(target * POSTS_SHARE)
    duplicate_budget = int(target * DUPLICATE_SHARE)
    kernel_budget = target - posts_budget - duplicate_budget
    users = _users(rng, factory)
    originals: list[tuple[str, str, dict]] = []  # (source, locator, record) copy candidates

    posts = ShardWriter(directory / "posts", "posts")
    post_rates = {"contact": 0.3, "card": 0.003, "ssn": 0.003}
    for page in iter_pool(man_pool):
        if posts.text_bytes >= posts_budget:
            break
        for number, chunk in enumerate(_post_chunks(page["text"])):
            user = rng.choice(users)
            text, planted = inject_pii(chunk, post_rates, factory)
            record = {
                "post_id": f"{page['path']}#{number}",
                "thread": page["path"],
                "text": text,
                "author_email": user["email"],
                "author_id": user["user_id"],
                "created_at": f"2026-0{rng.randint(1, 9)}-{rng.randint(10, 28)}T12:00:00Z",
            }
            locator = posts.write(record, len(text.encode("utf-8")))
            for item in planted:
                truth.pii.append({"source": "forum-posts", "locator": locator, **item})
            if len(text) > 1500 and rng.random() < 0.1:
                originals.append(("forum-posts", locator, record))
    if posts.text_bytes < posts_budget:
        print(f"  note: man pages ran out at {posts.text_bytes / MIB:.1f} MiB of posts")
        kernel_budget += posts_budget - posts.text_bytes

    kernel = ShardWriter(directory / "kernel", "kernel")
    kernel_rates = {"contact": 0.02, "card": 0.0005, "ssn": 0.0005}
    for item in iter_pool(kernel_pool):
        if kernel.text_bytes >= kernel_budget:
            break
        for number, part in _parts(item["text"]):
            text, planted = inject_pii(part, kernel_rates, factory)
            path = item["path"] if number == 0 else f"{item['path']}#part={number}"
            record = {"path": path, "text": text}
            locator = kernel.write(record, len(text.encode("utf-8")))
            for entry in planted:
                truth.pii.append({"source": "kernel-src", "locator": locator, **entry})
            if len(text) > 1500 and rng.random() < 0.1:
                originals.append(("kernel-src", locator, record))
    if kernel.text_bytes < kernel_budget:
        print(f"  note: kernel pool ran out at {kernel.text_bytes / MIB:.1f} MiB")

    # Near-duplicates go to their own shards in the same source (a mirror / a repost).
    mirrors = {
        "kernel-src": ShardWriter(directory / "kernel", "mirror"),
        "forum-posts": ShardWriter(directory / "posts", "repost"),
    }
    rng.shuffle(originals)
    planted_bytes = 0
    for source, locator, record in originals:
        if planted_bytes >= duplicate_budget:
            break
        copy = dict(record)
        copy["text"] = near_copy(record["text"], rng)
        if source == "kernel-src":
            copy["path"] = "mirror/" + record["path"]
        else:
            copy["post_id"] = "repost-" + record["post_id"]
            user = rng.choice(users)
            copy["author_email"], copy["author_id"] = user["email"], user["user_id"]
        size = len(copy["text"].encode("utf-8"))
        copy_locator = mirrors[source].write(copy, size)
        planted_bytes += size
        truth.near_duplicates.append({"source": source, "copy": copy_locator, "original": locator})
    writers = [posts, kernel, *mirrors.values()]
    for writer in writers:
        writer.close()

    _write_consent(directory / "consent.csv", users)
    (directory / "truth.json").write_text(
        json.dumps({"pii": truth.pii, "near_duplicates": truth.near_duplicates})
    )
    config = _write_config(directory, f"bench-e2e-{directory.name}")
    text_bytes = sum(w.text_bytes for w in writers)
    documents = sum(w.documents for w in writers)
    disk = sum(p.stat().st_size for p in directory.glob("*/*.jsonl.gz"))
    meta = {
        "format_version": CORPUS_FORMAT_VERSION,
        "text_mib": text_bytes / MIB,
        "documents": documents,
        "disk_mib": disk / MIB,
        "kernel_documents": kernel.documents,
        "post_documents": posts.documents,
        "near_duplicates": len(truth.near_duplicates),
        "pii_planted": len(truth.pii),
    }
    stamp.write_text(json.dumps(meta, indent=1))
    print(
        f"  {directory.name}: {documents} documents, {text_bytes / MIB:.1f} MiB text, "
        f"{disk / MIB:.1f} MiB gzip on disk"
    )
    return BuiltCorpus(directory, config, text_bytes / MIB, documents, disk / MIB)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=50, help="corpus size in MiB of text")
    parser.add_argument("--cache", type=Path, default=None, help=f"default {DEFAULT_CACHE}")
    args = smoke_corpus.parse_args(parser, {"mb": 1}, argv)
    if not args.smoke:
        return build_and_report(args.cache or DEFAULT_CACHE, args.mb)
    with smoke_corpus.scratch("corpus_build", args.cache) as cache:
        return build_and_report(cache, args.mb, smoke=True)


def build_and_report(cache: Path, mib: int, smoke: bool = False) -> int:
    """Build, say where and what was planted; 1 if the corpus came out empty."""
    corpus = build_corpus(cache, mib, smoke=smoke)
    print(f"{corpus.directory}: config {corpus.config}")
    truth = json.loads((corpus.directory / "truth.json").read_text())
    print(
        f"  planted: {len(truth['pii'])} personal data values, "
        f"{len(truth['near_duplicates'])} near-duplicates"
    )
    return 0 if corpus.documents else 1  # an empty corpus would make every figure vacuous


if __name__ == "__main__":
    sys.exit(main())

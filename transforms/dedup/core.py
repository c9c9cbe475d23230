"""Near-duplicate detection core: plain functions over plain data, no Beam.

Pipeline of the idea, each step a function here so tests and benchmarks call it
directly and `transforms/dedup/beam.py` only wires it:

1. `normalise_text` (NFC, case-folded, whitespace collapsed) -> `exact_key`.
2. `MinHasher.signatures_for_texts`: word 5-gram shingles hashed with numpy over a
   batch of documents, then datasketch's "affine32" permutations applied to the
   whole batch at once. Each word is a polynomial hash of its bytes (numpy
   prefix sums); an n-gram's hash is a fixed linear combination of its word
   hashes, so no shingle string is ever built. The permutation math is
   datasketch's own (same seed, same `a`, `b`, same MurmurHash3 pre-mix), so
   `to_lean_minhash` gives objects that compare with any datasketch
   `MinHash(seed=..., scheme="affine32")`.
3. `band_keys`: (band index, band hash) keys with datasketch's optimal (b, r).
4. `bucket_candidate_pairs` + `verified_edges`: pairs inside one LSH bucket,
   kept only when the estimated Jaccard reaches the threshold. Big buckets
   (boilerplate) pair every member with the bucket minimum: linear, not quadratic.
5. `connected_components` (union-find, root = smallest doc_id) and
   `assign_cluster` (keep the best rank, then the smallest doc_id).
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash

from schemas.dedup import DedupAssignment, DedupSettings, DedupSketch, DuplicateKind

SCHEME = "affine32"
_UINT32_MAX = np.uint32(0xFFFFFFFF)
# Odd 64-bit multipliers that make an n-gram hash order-sensitive:
# hash(w0..wn-1) = sum_k word_hash(w_k) * C_k mod 2^64, high 32 bits kept.
_NGRAM_MULTIPLIERS = np.random.RandomState(0x5EED).randint(
    0, 1 << 62, size=32, dtype=np.uint64
) * np.uint64(2) + np.uint64(1)
# Rows of the (shingles x permutations) matrix materialised at once: bounds the
# temporary to CHUNK * num_perm * 4 bytes (8 MB at 128 permutations).
_CHUNK_SHINGLES = 16_384
# UTF-8 bytes hashed in one numpy pass: temporaries (~40x this) stay in cache;
# measured 2x faster than 4 MB batches.
_MAX_BATCH_BYTES = 1_000_000
_BBIT_CHANCE = 1.0 / 256  # two unrelated 8-bit values agree by chance
_WORD_POLY_BASE = np.uint64(0x9E3779B97F4A7C15)
_WORD_LENGTH_SALT = np.uint64(0xD6E8FEB86659FD93)
_WORD_POLY_INVERSE = np.uint64(pow(int(_WORD_POLY_BASE), -1, 1 << 64))
# Power tables kept per process: twice a batch (16 bytes a byte, 32 MB); a larger batch
# (one long document) builds its own.
_POWER_TABLE_CACHED = 2 * _MAX_BATCH_BYTES


def normalise_text(text: str) -> str:
    """NFC, case-folded, whitespace collapsed: what "the same text" means for dedup.

    NFC runs again after casefold because folding can produce decomposed forms.
    ASCII text skips both (already NFC; casefold == lower), a third of the cost.
    """
    if text.isascii():
        return " ".join(text.lower().split())
    folded = unicodedata.normalize("NFC", text).casefold()
    return " ".join(unicodedata.normalize("NFC", folded).split())


def exact_key(normalised: str) -> str:
    """Content key of exact duplicates (128-bit SHA-256 prefix, hex)."""
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]


def fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before "affine32" permutations."""
    h = values.astype(np.uint32, copy=True)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer: spreads a weak polynomial word hash over all bits."""
    h = values.astype(np.uint64, copy=True)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def word_hashes(normalised_texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic 64-bit hash of every word of a batch, computed over bytes with numpy.

    Returns (concatenated word hashes, words per document). Python's `hash()`
    is salted per process (different signatures per worker) and a per-word
    Python call costs more than the whole MinHash, so each word is a
    polynomial over its UTF-8 bytes, sum((byte + 1) * B**(i + 1)) mod 2**64 for
    i from the word's start, finalised with fmix64 and its length. Normalised
    texts separate words by exactly one ASCII space.

    Why prefix sums: one running sum of (byte + 1) * B**(position + 1) over the
    whole batch gives every word's polynomial as a difference of two prefixes,
    shifted back to the word's start by B**-start (B is odd, so invertible mod
    2**64). That is four passes over the bytes where per-word positions took ten;
    same values; `bench/dedup_speed.py` signatures went from 56.7 to 70.0 MB/s/core.
    """
    words_per_doc = np.fromiter(
        (text.count(" ") + 1 if text else 0 for text in normalised_texts),
        dtype=np.int64,
        count=len(normalised_texts),
    )
    joined = " ".join(text for text in normalised_texts if text).encode("utf-8")
    if not joined:
        return np.empty(0, dtype=np.uint64), words_per_doc
    data = np.frombuffer(joined, dtype=np.uint8)
    powers, inverse_powers = _power_tables(data.size)
    terms = data.astype(np.uint64)
    terms += np.uint64(1)
    terms *= powers[: data.size]
    prefix = np.empty(data.size + 1, dtype=np.uint64)
    prefix[0] = 0
    np.cumsum(terms, out=prefix[1:])
    spaces = np.flatnonzero(data == 32)
    starts = np.concatenate(([0], spaces + 1))
    ends = np.append(spaces, data.size)
    sums = (prefix[ends] - prefix[starts]) * inverse_powers[starts]
    lengths = (ends - starts).astype(np.uint64)
    return fmix64(sums ^ (lengths * _WORD_LENGTH_SALT)), words_per_doc


def _power_tables(size: int) -> tuple[np.ndarray, np.ndarray]:
    """(B**(p + 1), B**-p) mod 2**64 for p < size; batch-sized tables are built once."""
    if size <= _POWER_TABLE_CACHED:
        return _cached_power_tables()
    return _build_power_tables(size)


@functools.lru_cache(maxsize=1)
def _cached_power_tables() -> tuple[np.ndarray, np.ndarray]:
    return _build_power_tables(_POWER_TABLE_CACHED)


def _build_power_tables(size: int) -> tuple[np.ndarray, np.ndarray]:
    powers = np.cumprod(np.full(size, _WORD_POLY_BASE, dtype=np.uint64))
    inverse_powers = np.empty(size, dtype=np.uint64)
    inverse_powers[0] = 1
    np.cumprod(np.full(size - 1, _WORD_POLY_INVERSE, dtype=np.uint64), out=inverse_powers[1:])
    return powers, inverse_powers


def shingle_hashes(
    words: np.ndarray, words_per_doc: np.ndarray, ngram: int
) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of every word n-gram of every document in the batch.

    Returns (concatenated shingle hashes, shingle count per document). A
    document shorter than `ngram` words has one shingle (all its words); an
    empty one has none. Windows are computed over the concatenated batch and
    those crossing a document boundary are masked out, so the work is a
    handful of numpy passes whatever the number of documents.
    """
    if ngram > len(_NGRAM_MULTIPLIERS):
        raise ValueError(f"ngram must be <= {len(_NGRAM_MULTIPLIERS)}, got {ngram}")
    lengths = words_per_doc
    counts = np.where(lengths >= ngram, lengths - ngram + 1, (lengths > 0).astype(np.int64))
    out = np.empty(int(counts.sum()), dtype=np.uint64)
    out_offsets = np.cumsum(counts) - counts
    long_docs = lengths >= ngram
    if words.size >= ngram and long_docs.any():
        n_windows = words.size - ngram + 1
        acc = words[:n_windows] * _NGRAM_MULTIPLIERS[0]
        for k in range(1, ngram):
            acc += words[k : k + n_windows] * _NGRAM_MULTIPLIERS[k]
        ends = np.cumsum(lengths)
        valid = np.arange(n_windows) + ngram <= np.repeat(ends, lengths)[:n_windows]
        targets = np.repeat(out_offsets[long_docs], counts[long_docs]) + _ranks(counts[long_docs])
        out[targets] = acc[valid]
    starts = np.cumsum(lengths) - lengths
    for index in np.flatnonzero((lengths > 0) & ~long_docs):
        doc_words = words[starts[index] : starts[index] + lengths[index]]
        out[out_offsets[index]] = (doc_words * _NGRAM_MULTIPLIERS[: len(doc_words)]).sum(
            dtype=np.uint64
        )
    return (out >> np.uint64(32)).astype(np.uint32), counts


def _ranks(counts: np.ndarray) -> np.ndarray:
    """[0..c0), [0..c1), ... concatenated: position of each item inside its group."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)


class MinHasher:
    """Vectorised MinHash over batches, bit-identical to datasketch's "affine32" scheme."""

    def __init__(self, num_perm: int = 128, seed: int = 1, ngram: int = 5) -> None:
        self.num_perm = num_perm
        self.seed = seed
        self.ngram = ngram
        # Take a and b from datasketch itself so a future change of its
        # generator cannot silently desynchronise us.
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
        self._a = a.astype(np.uint32)
        self._b = b.astype(np.uint32)

    @classmethod
    def from_settings(cls, settings: DedupSettings) -> MinHasher:
        return cls(num_perm=settings.num_perm, seed=settings.seed, ngram=settings.ngram)

    def signatures(self, shingle_hashes: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """(documents x num_perm) uint32 minima; an empty document keeps all 0xFFFFFFFF."""
        signatures = np.full((len(counts), self.num_perm), _UINT32_MAX, dtype=np.uint32)
        nonempty = np.flatnonzero(counts > 0)
        if nonempty.size == 0:
            return signatures
        doc_starts = (np.cumsum(counts) - counts)[nonempty]
        premixed = fmix32(shingle_hashes)
        buffer = np.empty((self.num_perm, min(_CHUNK_SHINGLES, premixed.size)), dtype=np.uint32)
        for chunk_start in range(0, premixed.size, _CHUNK_SHINGLES):
            chunk = premixed[chunk_start : chunk_start + _CHUNK_SHINGLES]
            first = np.searchsorted(doc_starts, chunk_start, side="right") - 1
            last = np.searchsorted(doc_starts, chunk_start + chunk.size, side="left")
            segment_starts = np.maximum(doc_starts[first:last], chunk_start) - chunk_start
            # Permutation-major layout: each row is one contiguous SIMD pass;
            # measured ~10x faster than (shingles x permutations) on numpy 2.4.
            permuted = buffer[:, : chunk.size]
            np.multiply(self._a[:, None], chunk, out=permuted)
            np.add(permuted, self._b[:, None], out=permuted)
            minima = np.minimum.reduceat(permuted, segment_starts, axis=1).T
            rows = nonempty[first:last]
            signatures[rows] = np.minimum(signatures[rows], minima)
        return signatures

    def signatures_for_texts(self, normalised_texts: Sequence[str]) -> np.ndarray:
        """Signatures of normalised texts, in sub-batches of bounded size."""
        parts, start, size = [], 0, 0
        for end, text in enumerate(normalised_texts, start=1):
            size += len(text) + 1
            if size >= _MAX_BATCH_BYTES or end == len(normalised_texts):
                words, words_per_doc = word_hashes(normalised_texts[start:end])
                parts.append(self.signatures(*shingle_hashes(words, words_per_doc, self.ngram)))
                start, size = end, 0
        if not parts:
            return np.empty((0, self.num_perm), dtype=np.uint32)
        return np.concatenate(parts)


def sketch_texts(hasher: MinHasher, texts: Sequence[str]) -> list[DedupSketch]:
    """Exact key and packed MinHash signature of each text (raw, not yet normalised)."""
    normalised = [normalise_text(text) for text in texts]
    signatures = hasher.signatures_for_texts(normalised)
    return [
        DedupSketch(exact_key(text), signature.astype("<u4").tobytes())
        for text, signature in zip(normalised, signatures, strict=True)
    ]


def unpack_signature(packed: bytes) -> np.ndarray:
    return np.frombuffer(packed, dtype="<u4")


def to_lean_minhash(signature: np.ndarray, seed: int = 1) -> LeanMinHash:
    """A datasketch LeanMinHash for users (Jaccard estimates, MinHashLSH, serialisation)."""
    return LeanMinHash(seed=seed, hashvalues=signature, scheme=SCHEME)


def is_empty_signature(signature: np.ndarray) -> bool:
    return bool(np.all(signature == _UINT32_MAX))


BAND_KEY_BYTES = 10


def band_keys(signature: np.ndarray, bands: int, rows: int) -> list[bytes]:
    """One LSH key per band (BAND_KEY_BYTES): 2-byte band index + 8-byte blake2b of the
    band's values."""
    raw = signature[: bands * rows].astype("<u4").tobytes()
    width = rows * 4
    return [
        band.to_bytes(2, "big")
        + hashlib.blake2b(raw[band * width : (band + 1) * width], digest_size=8).digest()
        for band in range(bands)
    ]


def compact_signature(signature: np.ndarray) -> np.ndarray:
    """The lowest 8 bits of each minimum ("b-bit minwise hashing", Li and Koenig 2010).

    LSH buckets carry a signature per band a document falls into (16 copies at
    the default settings); on the local runner those are held in memory for the
    whole run, and 1 byte per minimum instead of 4 cuts that by 4x. Bucket keys
    still hash the full minima, so candidates are unchanged.
    """
    return (signature & 0xFF).astype(np.uint8)


def estimated_jaccard(signature_a: np.ndarray, signature_b: np.ndarray) -> float:
    """Share of equal minima: datasketch's `MinHash.jaccard` estimator.

    For compacted (uint8) signatures, unrelated minima also agree by chance 1 time
    in 256; the estimate is corrected for that: (share - 1/256) / (1 - 1/256).
    """
    share = float(np.count_nonzero(signature_a == signature_b)) / signature_a.size
    if signature_a.dtype == np.uint8:
        return max(0.0, (share - _BBIT_CHANCE) / (1.0 - _BBIT_CHANCE))
    return share


def bucket_candidate_pairs(
    member_ids: Sequence[str], max_bucket_pairs: int
) -> list[tuple[str, str]]:
    """Pairs to verify in one LSH bucket, each as (smaller id, larger id).

    All pairs while that is at most `max_bucket_pairs`; beyond, every member is
    paired with the bucket's smallest id only (k - 1 pairs). Members of one
    bucket share a whole band, so they are near each other with high
    probability and the star keeps their component while staying linear.
    """
    ids = sorted(set(member_ids))
    k = len(ids)
    if k * (k - 1) // 2 <= max_bucket_pairs:
        return [(ids[i], ids[j]) for i in range(k) for j in range(i + 1, k)]
    return [(ids[0], other) for other in ids[1:]]


def verified_edges(
    members: Iterable[tuple[str, np.ndarray]], threshold: float, max_bucket_pairs: int
) -> tuple[list[tuple[str, str]], int]:
    """Candidate pairs of a bucket whose estimated Jaccard reaches `threshold`.

    `members` must be re-iterable (a list, or a Beam grouped iterable): a big
    bucket is read twice, once for its size and minimum, once to compare each
    member with that minimum, so it is never materialised (runners page big
    groups lazily). Returns (edges, number of candidate pairs examined).
    """
    size = 0
    anchor_id: str | None = None
    anchor_signature: np.ndarray | None = None
    for doc_id, signature in members:
        size += 1
        if anchor_id is None or doc_id < anchor_id:
            anchor_id, anchor_signature = doc_id, signature
    if size * (size - 1) // 2 <= max_bucket_pairs:
        signatures = dict(members)
        pairs = bucket_candidate_pairs(list(signatures), max_bucket_pairs)
        edges = [
            (a, b) for a, b in pairs if estimated_jaccard(signatures[a], signatures[b]) >= threshold
        ]
        return edges, len(pairs)
    if anchor_id is None or anchor_signature is None:
        return [], 0  # no members: nothing to compare
    edges, examined = [], 0
    for doc_id, signature in members:
        if doc_id != anchor_id:
            examined += 1
            if estimated_jaccard(anchor_signature, signature) >= threshold:
                edges.append((anchor_id, doc_id))
    return edges, examined


class UnionFind:
    """Disjoint sets whose root is always the smallest member: order-independent ids."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        parent = self.parent
        root = parent.setdefault(node, node)
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:  # path compression
            parent[node], node = root, parent[node]
        return root

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            small, large = sorted((root_a, root_b))
            self.parent[large] = small

    def roots(self) -> Iterator[tuple[str, str]]:
        for node in list(self.parent):
            yield node, self.find(node)


def connected_components(edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Map every node that appears in an edge to its component's smallest doc_id."""
    forest = UnionFind()
    for a, b in edges:
        forest.union(a, b)
    return dict(forest.roots())


@dataclass(frozen=True)
class ClusterMember:
    """What the keep-choice needs about a document (no text)."""

    doc_id: str
    source_id: str
    rank: tuple
    exact_key: str
    stops_cluster: bool = False


def cluster_id_for(root_doc_id: str) -> str:
    """Stable cluster id: derived from the smallest member doc_id, so re-runs agree."""
    return f"dup-{root_doc_id}"


def assign_cluster(members: Sequence[ClusterMember]) -> list[DedupAssignment]:
    """Keep the best-ranked member (then the smallest doc_id); mark every other one.

    A removed member is `exact` when its normalised text equals the kept copy's,
    otherwise `near` (it may be linked to the kept copy only through others). When
    any member `stops_cluster`, every assignment says `cluster_withdrawn`: decided
    here, where the whole cluster is at hand, not in a pass over every record.
    """
    if len(members) == 1:
        return [singleton_assignment(members[0].doc_id)]
    kept = min(members, key=lambda m: (m.rank, m.doc_id))
    cluster_id = cluster_id_for(min(m.doc_id for m in members))
    size = len(members)
    withdrawn = any(member.stops_cluster for member in members)
    assignments = []
    for member in members:
        if member.doc_id == kept.doc_id:
            assignments.append(
                DedupAssignment(member.doc_id, cluster_id, None, None, size, withdrawn)
            )
            continue
        kind = DuplicateKind.EXACT if member.exact_key == kept.exact_key else DuplicateKind.NEAR
        assignments.append(
            DedupAssignment(member.doc_id, cluster_id, kept.doc_id, str(kind), size, withdrawn)
        )
    return assignments


def singleton_assignment(doc_id: str) -> DedupAssignment:
    return DedupAssignment(doc_id, None, None, None, 1)

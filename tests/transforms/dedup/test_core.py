"""Specifications of the Beam-free near-duplicate core (transforms/dedup/core.py)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH
from pydantic import ValidationError

import transforms.dedup.core as dedup_core
from schemas.dedup import DedupSettings
from transforms.dedup.core import (
    ClusterMember,
    MinHasher,
    assign_cluster,
    band_keys,
    bucket_candidate_pairs,
    compact_signature,
    connected_components,
    estimated_jaccard,
    exact_key,
    normalise_text,
    shingle_hashes,
    singleton_assignment,
    to_lean_minhash,
    verified_edges,
    word_hashes,
)

VOCABULARY = [f"word{i}" for i in range(3000)]


def random_words(rng: random.Random, count: int) -> list[str]:
    return [rng.choice(VOCABULARY) for _ in range(count)]


def exact_shingle_jaccard(text_a: str, text_b: str, ngram: int = 5) -> float:
    def shingles(text: str) -> set[tuple[str, ...]]:
        words = text.split()
        return {tuple(words[i : i + ngram]) for i in range(len(words) - ngram + 1)}

    a, b = shingles(text_a), shingles(text_b)
    return len(a & b) / len(a | b)


# --- normalisation and exact keys -------------------------------------------------


def test_normalisation_folds_case_collapses_whitespace_and_composes_unicode():
    decomposed = "Cafe\u0301   AU\tLAIT\n"
    assert normalise_text(decomposed) == "caf\u00e9 au lait"


def test_exact_key_is_equal_for_texts_that_differ_only_in_case_and_spacing():
    assert exact_key(normalise_text("Hello  World")) == exact_key(normalise_text("hello world\n"))


def test_exact_key_differs_for_different_words():
    assert exact_key(normalise_text("hello world")) != exact_key(normalise_text("hello there"))


# --- MinHash signatures ------------------------------------------------------------


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (64, 7)])
def test_signatures_equal_datasketch_minhash_for_the_same_shingle_hashes(num_perm, seed):
    rng = np.random.default_rng(seed)
    sizes = [0, 1, 4, 300, 40_000, 2]  # 40k crosses the internal chunk boundary
    per_doc = [rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32) for n in sizes]
    counts = np.array(sizes)
    ours = MinHasher(num_perm=num_perm, seed=seed).signatures(np.concatenate(per_doc), counts)
    for hashes, row in zip(per_doc, ours, strict=True):
        theirs = MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda value: value)
        theirs.update_batch([int(value) for value in hashes])
        np.testing.assert_array_equal(row, theirs.hashvalues)


def test_signatures_do_not_depend_on_batch_composition():
    rng = random.Random(3)
    texts = [" ".join(random_words(rng, rng.randint(0, 60))) for _ in range(50)]
    hasher = MinHasher()
    together = hasher.signatures_for_texts(texts)
    alone = np.concatenate([hasher.signatures_for_texts([text]) for text in texts])
    np.testing.assert_array_equal(together, alone)


def test_lean_minhash_from_our_signature_equals_datasketch_minhash_of_same_shingles():
    text = normalise_text(" ".join(random_words(random.Random(1), 80)))
    words, per_doc = word_hashes([text])
    shingles, counts = shingle_hashes(words, per_doc, ngram=5)
    reference = MinHash(num_perm=128, seed=1, hashfunc=lambda value: value)
    reference.update_batch([int(value) for value in shingles])
    lean = to_lean_minhash(MinHasher().signatures_for_texts([text])[0], seed=1)
    assert isinstance(lean, LeanMinHash)
    assert lean == LeanMinHash(reference)
    assert lean.jaccard(reference) == 1.0


def test_lean_minhashes_work_in_a_datasketch_lsh_index():
    rng = random.Random(2)
    base = random_words(rng, 200)
    near = list(base)
    near[100] = "changed"
    other = random_words(rng, 200)
    signatures = MinHasher().signatures_for_texts([" ".join(t) for t in (base, near, other)])
    index = MinHashLSH(threshold=0.8, num_perm=128)
    for name, signature in zip(["base", "near", "other"], signatures, strict=True):
        index.insert(name, to_lean_minhash(signature))
    assert sorted(index.query(to_lean_minhash(signatures[0]))) == ["base", "near"]


def test_jaccard_estimates_track_exact_jaccard_within_minhash_error_bound():
    rng = random.Random(4)
    hasher = MinHasher(num_perm=128)
    errors = []
    for _ in range(60):
        base = random_words(rng, 150)
        variant = list(base)
        for position in rng.sample(range(150), rng.randint(0, 12)):
            variant[position] = rng.choice(VOCABULARY)
        a, b = " ".join(base), " ".join(variant)
        truth = exact_shingle_jaccard(a, b)
        sig_a, sig_b = hasher.signatures_for_texts([a, b])
        # Standard error of the estimator is sqrt(J(1-J)/k); allow 4 sigma + rounding.
        bound = 4 * np.sqrt(truth * (1 - truth) / 128) + 1 / 128
        errors.append(abs(estimated_jaccard(sig_a, sig_b) - truth) <= bound)
        # The 8-bit compacted minima the LSH buckets carry: same bound plus chance agreement.
        compact = estimated_jaccard(compact_signature(sig_a), compact_signature(sig_b))
        errors.append(abs(compact - truth) <= bound + 2 / 128)
    assert all(errors)


def test_compacted_signatures_of_unrelated_texts_estimate_near_zero():
    rng = random.Random(7)
    hasher = MinHasher(num_perm=128)
    estimates = []
    for _ in range(40):
        sig_a, sig_b = hasher.signatures_for_texts(
            [" ".join(random_words(rng, 100)), " ".join(random_words(rng, 100))]
        )
        estimates.append(estimated_jaccard(compact_signature(sig_a), compact_signature(sig_b)))
    assert max(estimates) < 0.1 and min(estimates) == 0.0


def _reference_word_hash(word: bytes) -> int:
    """The documented word hash in plain integers: fmix64(poly ^ length * salt)."""
    mask = (1 << 64) - 1
    base = int(dedup_core._WORD_POLY_BASE)
    poly = sum((byte + 1) * pow(base, i + 1, 1 << 64) for i, byte in enumerate(word)) & mask
    mixed = poly ^ (len(word) * int(dedup_core._WORD_LENGTH_SALT) & mask)
    return int(dedup_core.fmix64(np.array([mixed], dtype=np.uint64))[0])


@pytest.mark.parametrize("table_bytes", [None, 8])
def test_word_hashes_equal_the_per_word_polynomial(monkeypatch, table_bytes):
    # Small cached table: the batch builds its own tables, which must agree.
    if table_bytes is not None:
        monkeypatch.setattr(dedup_core, "_POWER_TABLE_CACHED", table_bytes)
    texts = [
        "alpha b\u00e9ta gamma",
        "",
        "x",
        "word1 word1 longerwordthanthe rest",
        "caf\u00e9 \u00fc",
    ]
    words, per_doc = word_hashes(texts)
    expected = [
        _reference_word_hash(word.encode("utf-8"))
        for text in texts
        if text
        for word in text.split(" ")
    ]
    assert per_doc.tolist() == [3, 0, 1, 4, 2]
    assert words.tolist() == expected


def test_document_shorter_than_ngram_has_one_shingle_and_empty_document_none():
    words, per_doc = word_hashes(["a b", "", "a b c d e f"])
    _, counts = shingle_hashes(words, per_doc, ngram=5)
    assert counts.tolist() == [1, 0, 2]


def test_word_order_changes_the_shingle_hash():
    words, per_doc = word_hashes(["a b c d e", "b a c d e"])
    shingles, _ = shingle_hashes(words, per_doc, ngram=5)
    assert shingles[0] != shingles[1]


# --- LSH banding and candidate pairs -------------------------------------------------


def test_band_count_and_rows_come_from_datasketch_optimal_parameters():
    from datasketch.lsh import _optimal_param

    settings = DedupSettings()
    assert settings.bands_and_rows == _optimal_param(0.8, 128, 0.05, 0.95)


def test_band_keys_are_one_per_band_and_tagged_with_the_band_index():
    signature = MinHasher().signatures_for_texts(["some words in a document here"])[0]
    keys = band_keys(signature, bands=16, rows=8)
    assert len(keys) == 16
    assert [int.from_bytes(key[:2], "big") for key in keys] == list(range(16))


def test_identical_bands_give_identical_keys_and_different_bands_differ():
    signature = np.arange(128, dtype=np.uint32)
    changed = signature.copy()
    changed[0] += 1  # only band 0 differs
    keys, changed_keys = band_keys(signature, 16, 8), band_keys(changed, 16, 8)
    assert keys[0] != changed_keys[0]
    assert keys[1:] == changed_keys[1:]


def test_small_bucket_is_verified_pair_by_pair():
    pairs = bucket_candidate_pairs(["c", "a", "b"], max_bucket_pairs=45)
    assert pairs == [("a", "b"), ("a", "c"), ("b", "c")]


def test_bucket_of_ten_thousand_boilerplate_documents_yields_linear_pairs():
    members = [f"doc{i:05d}" for i in range(10_000)]
    pairs = bucket_candidate_pairs(members, max_bucket_pairs=45)
    assert len(pairs) == 9_999
    assert {a for a, _ in pairs} == {"doc00000"}


def test_verification_drops_pairs_below_threshold():
    rng = random.Random(5)
    base = random_words(rng, 100)
    far = random_words(rng, 100)
    near = list(base)
    near[50] = "changed"
    signatures = MinHasher().signatures_for_texts([" ".join(t) for t in (base, near, far)])
    members = list(zip(["base", "near", "far"], signatures, strict=True))
    edges, examined = verified_edges(members, threshold=0.8, max_bucket_pairs=45)
    assert edges == [("base", "near")]
    assert examined == 3


# --- components and the copy to keep -------------------------------------------------


def test_components_are_rooted_at_smallest_doc_id_whatever_the_edge_order():
    edges = [("d", "e"), ("b", "c"), ("c", "d"), ("x", "y")]
    expected = {"b": "b", "c": "b", "d": "b", "e": "b", "x": "x", "y": "x"}
    for permutation in itertools.permutations(edges):
        flipped = [(b, a) for a, b in permutation]
        assert connected_components(permutation) == expected
        assert connected_components(flipped) == expected


def member(doc_id: str, rank: tuple, key: str = "k1", source: str = "s") -> ClusterMember:
    return ClusterMember(doc_id=doc_id, source_id=source, rank=rank, exact_key=key)


def test_member_with_best_rank_is_kept():
    result = {a.doc_id: a for a in assign_cluster([member("a", (2,)), member("b", (0,))])}
    assert result["b"].duplicate_of is None
    assert result["a"].duplicate_of == "b"


def test_rank_tie_is_broken_by_smallest_doc_id():
    result = {a.doc_id: a for a in assign_cluster([member("b", (1,)), member("a", (1,))])}
    assert result["a"].duplicate_of is None
    assert result["b"].duplicate_of == "a"


def test_removed_copy_is_exact_only_when_its_text_equals_the_kept_copy():
    members = [member("a", (0,), "k1"), member("b", (1,), "k1"), member("c", (1,), "k2")]
    kinds = {a.doc_id: a.kind for a in assign_cluster(members)}
    assert kinds == {"a": None, "b": "exact", "c": "near"}


def test_every_member_carries_the_cluster_id_and_size():
    members = [member("b", (0,)), member("a", (1,)), member("c", (2,))]
    assignments = assign_cluster(members)
    assert {a.cluster_id for a in assignments} == {"dup-a"}
    assert {a.cluster_size for a in assignments} == {3}


def test_one_withdrawn_member_withdraws_every_assignment_of_its_cluster():
    members = [member("a", (0,)), member("b", (1,)), member("c", (2,))]
    assert not any(a.cluster_withdrawn for a in assign_cluster(members))
    members[2] = ClusterMember("c", "s", (2,), "k1", stops_cluster=True)
    assert all(a.cluster_withdrawn for a in assign_cluster(members))
    assert not singleton_assignment("a").cluster_withdrawn


def test_settings_reject_unknown_fields_and_out_of_range_threshold():
    with pytest.raises(ValidationError):
        DedupSettings(treshold=0.8)
    with pytest.raises(ValidationError):
        DedupSettings(threshold=1.5)


def test_verifying_a_ten_thousand_member_bucket_compares_each_member_once():
    signature = MinHasher().signatures_for_texts(["the same boilerplate footer text"])[0]
    members = [(f"doc{i:05d}", signature) for i in range(10_000)]
    edges, examined = verified_edges(members, threshold=0.8, max_bucket_pairs=45)
    assert examined == 9_999
    assert len(edges) == 9_999

"""The validation's re-scan gives the same counts in-process and on a process pool."""

from __future__ import annotations

from pipelines import after_pool, residual_pii
from pipelines.residual_pii import ResidualPiiScanner
from schemas.pii import PiiSettings

KEY = b"k" * 32


def _batches() -> list[list[str]]:
    texts = [
        "plain words only",
        "write to jane.doe@corp-mail.com or call +44 20 7946 0958",
        "card 4111 1111 1111 1111 and SSN 078-05-1120",
        "",
    ]
    return [texts[i:] + texts[:i] for i in range(4)] * 5


def test_pool_and_in_process_counts_agree_and_keep_order(monkeypatch):
    with ResidualPiiScanner(PiiSettings(), KEY, workers=1) as local:
        expected = list(local(_batches()))
    assert sum(expected) > 0 and 0 in expected
    monkeypatch.setattr(residual_pii, "CHUNK_BYTES", 100)
    monkeypatch.setattr(after_pool, "POOL_THRESHOLD_BYTES", 200)
    with ResidualPiiScanner(PiiSettings(), KEY, workers=2) as pooled:
        assert list(pooled(_batches())) == expected
        assert pooled.pool_started  # the pool path really ran


def _breaks_the_pool(texts):
    import os

    os._exit(3)  # a worker that dies, as one that cannot import the caller's main would


def test_a_broken_pool_falls_back_to_counting_in_process(monkeypatch, caplog):
    with ResidualPiiScanner(PiiSettings(), KEY, workers=1) as local:
        expected = list(local(_batches()))
    monkeypatch.setattr(residual_pii, "CHUNK_BYTES", 100)
    monkeypatch.setattr(after_pool, "POOL_THRESHOLD_BYTES", 200)
    monkeypatch.setattr(after_pool, "count_residual_in_worker", _breaks_the_pool)
    with ResidualPiiScanner(PiiSettings(), KEY, workers=2) as pooled:
        assert list(pooled(_batches())) == expected
    assert "continuing in-process" in caplog.text

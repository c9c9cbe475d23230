"""Personal data in locators and metadata is masked as records leave the reader."""

from __future__ import annotations

import pytest

from schemas.dead_letter import DeadLetter
from schemas.document import Document, make_doc_id
from schemas.pii import PiiSettings
from schemas.reason_codes import ReadError
from transforms.pii.identifiers import (
    IdentifierMasker,
    mask_value,
    scannable_forms,
    split_locator,
)
from transforms.pii.redaction import value_token
from transforms.pii.shared import shared_engine

KEY = b"k" * 32
EMAIL = "mara.okafor77@posteo.de"
SETTINGS = PiiSettings()


@pytest.fixture(scope="module")
def masker() -> IdentifierMasker:
    engine = shared_engine(SETTINGS)
    return IdentifierMasker(lambda texts: engine.scan_batch(texts, KEY), SETTINGS)


def document(locator: str, metadata: dict[str, str] | None = None) -> Document:
    return Document.from_text("src", locator, "plain text", b"plain text", metadata or {})


def email_token() -> str:
    return value_token(KEY, "EMAIL_ADDRESS", EMAIL, SETTINGS.phone_regions)


def test_an_email_in_a_file_name_becomes_its_type_and_token(masker):
    raw = f"pkg0/{EMAIL}.py"
    [masked] = masker.mask([document(raw)])
    assert masked.locator == f"pkg0/<EMAIL_ADDRESS:{email_token()[:8]}>.py"
    assert masked.doc_id == make_doc_id("src", raw)  # the id is the raw locator's
    [finding] = masked.identifier_findings
    assert (finding.field, finding.entity_type, finding.value_token) == (
        "locator",
        "EMAIL_ADDRESS",
        email_token(),
    )


def test_the_readers_own_suffix_is_kept_and_the_path_scanned_once():
    calls: list[list[str]] = []
    engine = shared_engine(SETTINGS)

    def scan(texts):
        calls.append(list(texts))
        return engine.scan_batch(texts, KEY)

    masker = IdentifierMasker(scan, SETTINGS)
    items = [document(f"users/{EMAIL}/notes.jsonl:L{line}") for line in range(1, 4)]
    masked = masker.mask(items)
    assert [item.locator.rsplit(":", 1)[1] for item in masked] == ["L1", "L2", "L3"]
    assert all(EMAIL not in item.locator for item in masked)
    # One scan of the path (as separated words, and without its extension), not per line.
    assert calls == [[f"users {EMAIL} notes.jsonl", f"users {EMAIL} notes      "]]
    masker.mask([document(f"users/{EMAIL}/notes.jsonl:L9")])
    assert len(calls) == 1  # cached


def test_metadata_values_and_record_ids_are_masked(masker):
    metadata = {
        "url": f"https://example.org/contact?to={EMAIL}&card=4111 1111 1111 1111",
        "source_record_id": f"user:{EMAIL}",
        "title": "Nothing personal",
    }
    [masked] = masker.mask([document("a.jsonl:L1", metadata)])
    assert masked.locator == "a.jsonl:L1"
    assert masked.metadata["title"] == "Nothing personal"
    assert EMAIL not in masked.metadata["url"] and "4111" not in masked.metadata["url"]
    assert masked.metadata["source_record_id"] == f"user:<EMAIL_ADDRESS:{email_token()[:8]}>"
    fields = {(f.field, f.entity_type) for f in masked.identifier_findings}
    assert fields == {
        ("metadata.url", "EMAIL_ADDRESS"),
        ("metadata.url", "CREDIT_CARD"),
        ("metadata.source_record_id", "EMAIL_ADDRESS"),
    }


def test_dead_letters_are_masked_too(masker):
    dead = DeadLetter.build("src", f"{EMAIL}.jsonl.gz", ReadError.UNREADABLE_FILE, "cut")
    [masked] = masker.mask([dead])
    assert EMAIL not in masked.locator and masked.doc_id == dead.doc_id
    assert [f.value_token for f in masked.identifier_findings] == [email_token()]


def test_clean_items_are_returned_unchanged(masker):
    items = [document("docs/readme.md"), document("data/x.parquet#row=12", {"lang": "en"})]
    assert masker.mask(items) == items


def test_kept_entity_types_stay(masker):
    settings = PiiSettings(actions={"EMAIL_ADDRESS": "keep"})
    engine = shared_engine(settings)
    keeping = IdentifierMasker(lambda texts: engine.scan_batch(texts, KEY), settings)
    [item] = keeping.mask([document(f"{EMAIL}.txt")])
    assert item.locator == f"{EMAIL}.txt" and not item.identifier_findings


def test_split_and_mask_helpers():
    assert split_locator("a/b.jsonl:L12") == ("a/b.jsonl", ":L12")
    assert split_locator("a/b.parquet#row_group=3") == ("a/b.parquet", "#row_group=3")
    assert split_locator("a/b.warc.gz@1024") == ("a/b.warc.gz", "@1024")
    assert split_locator("a/b.txt") == ("a/b.txt", "")
    assert mask_value("abc", []) == "abc"
    assert scannable_forms("a/b?to=c") == ("a b to c",)
    assert scannable_forms("x/jane@example.de.py") == (
        "x jane@example.de.py",
        "x jane@example.de   ",
    )
    assert scannable_forms("jane@example.co.uk") == ("jane@example.co.uk",)


@pytest.mark.parametrize(
    ("locator", "masked"),
    [
        (f"{EMAIL}.py", "<EMAIL_ADDRESS:{token}>.py"),
        (f"{EMAIL}.jsonl.gz", "<EMAIL_ADDRESS:{token}>.jsonl.gz"),
        (f"home/{EMAIL}/notes.txt", "home/<EMAIL_ADDRESS:{token}>/notes.txt"),
        (f"home/{EMAIL}", "home/<EMAIL_ADDRESS:{token}>"),
    ],
)
def test_addresses_in_paths_are_found_whatever_follows_them(masker, locator, masked):
    [item] = masker.mask([document(locator)])
    assert item.locator == masked.format(token=email_token()[:8])


def test_a_full_cache_never_loses_a_value_the_chunk_needs(monkeypatch):
    import transforms.pii.identifiers as identifiers

    monkeypatch.setattr(identifiers, "CACHE_LIMIT", 3)
    engine = shared_engine(SETTINGS)
    masker = IdentifierMasker(lambda texts: engine.scan_batch(texts, KEY), SETTINGS)
    masker.mask([document("a.txt"), document("b.txt")])
    # a.txt is cached; the next chunk overflows the cache and needs it again
    masked = masker.mask([document("a.txt"), document("c.txt"), document(f"{EMAIL}.txt")])
    assert [item.locator for item in masked][:2] == ["a.txt", "c.txt"]
    assert masked[2].identifier_findings


def test_long_metadata_values_are_masked_but_not_cached(masker):
    long_value = "x " * 400 + EMAIL
    [item] = masker.mask([document("a.jsonl:L1", {"description": long_value})])
    assert EMAIL not in item.metadata["description"]
    assert long_value not in masker._cache

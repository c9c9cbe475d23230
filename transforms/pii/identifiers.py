"""Personal data outside the text: locators, record ids and kept metadata values.

Why: file names carry people's addresses and home-directory names
(`mara.okafor77@posteo.de.py`), record ids carry user names, a kept `url` carries a
mail link. Those strings go to the ledger, the dead letter, the dataset's columns,
reports and error messages, none of which may hold a raw value. So every record is
masked as it leaves the reader, before any other step sees it: each value the PII
engine finds there is replaced by its type and the start of its token
(`pkg0/<EMAIL_ADDRESS:3f2a9c1b>.py`), and the full token is kept in
`identifier_findings` so that erasure by subject still finds the record.

Doc ids are computed from the raw locator before masking, so they do not change and
`provenance trace --locator` finds a record by the path an operator sees on disk.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from schemas.actions import Action
from schemas.dead_letter import DeadLetter
from schemas.document import Document
from schemas.pii import IdentifierFinding, PiiFinding, PiiSettings

LOCATOR = "locator"
METADATA = "metadata."
SHOWN_TOKEN_CHARS = 8
CHUNK_ITEMS = 256
CHUNK_BYTES = 8_000_000  # records are held until their chunk is scanned: a cap for big ones
CACHE_LIMIT = 4096
CACHED_VALUE_CHARS = 512  # a long metadata value (a description) is scanned, not kept
# What the reader appends to a file's relative path (a line, a row, a WARC offset): its
# own numbering, never input data, so the path alone is scanned, once per file.
_READER_SUFFIX = re.compile(r"(?::L\d+|#row=\d+|#row_group=\d+|@\d+)$")

# Separators of paths, URLs and query strings. Presidio's e-mail pattern admits `/`, `?`,
# `=` and `&` in a local part, so `docs/x?to=jane@example.org` would be one "address"
# (and its token match no subject); a space in their place keeps every offset.
_SEPARATORS = re.compile(r"[/\\?&=#:;,()\[\]{}<>|\"'\s]")
# File extensions after a name: `jane@example.org.txt` is no address (`txt` is no
# suffix), `jane@example.de.py` is one under Paraguay's; both mean an address and a file
# type. Only known extensions are cut: in `jane@example.co.uk` nothing is an extension.
_EXTENSION_NAMES = (
    "7z avro bin bz2 c cc cfg conf cpp cs csv dat doc docx eml gz h hpp htm html ini ipynb "
    "java jpeg jpg js json jsonl kt log lz4 m4a md mp3 mp4 odt parquet pdf php pl png ppt "
    "pptx py r rb rs rst sh sql svg swift tar tex tgz toml ts tsv txt wav warc webm xls "
    "xlsx xml xz yaml yml zip zst"
)
FILE_EXTENSIONS = tuple(_EXTENSION_NAMES.split())
_EXTENSIONS = re.compile(
    r"(?:\.(?:" + "|".join(FILE_EXTENSIONS) + r"))+(?= |$)", flags=re.IGNORECASE
)

ReadItem = Document | DeadLetter
ScanBatch = Callable[[Sequence[str]], Sequence[list[PiiFinding]]]


def placeholder(finding: PiiFinding) -> str:
    return f"<{finding.entity_type}:{finding.value_token[:SHOWN_TOKEN_CHARS]}>"


def mask_value(value: str, findings: Iterable[PiiFinding]) -> str:
    """`value` with every finding's span replaced by its placeholder (spans do not overlap)."""
    masked = value
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        masked = masked[: finding.start] + placeholder(finding) + masked[finding.end :]
    return masked


def scannable_forms(value: str) -> tuple[str, ...]:
    """The value as the engine should read it, each form the same length as the value:
    separators as spaces, then also without file extensions (when it has any)."""
    spaced = _SEPARATORS.sub(" ", value)
    without_extensions = _EXTENSIONS.sub(lambda match: " " * len(match.group()), spaced)
    return (spaced,) if without_extensions == spaced else (spaced, without_extensions)


def merge_forms(per_form: Sequence[list[PiiFinding]]) -> list[PiiFinding]:
    """Findings of the last form first (extensions cut off), then any earlier form's
    finding that overlaps none of them (an address that only looked like a file name)."""
    chosen = list(per_form[-1])
    for findings in reversed(per_form[:-1]):
        chosen += [
            finding
            for finding in findings
            if all(finding.end <= kept.start or finding.start >= kept.end for kept in chosen)
        ]
    return sorted(chosen)


def split_locator(locator: str) -> tuple[str, str]:
    """(the file's path, the reader's own suffix) of a locator."""
    match = _READER_SUFFIX.search(locator)
    return (locator, "") if match is None else (locator[: match.start()], match.group())


class IdentifierMasker:
    """Masks batches of read items through one scanning function (the PII engine's).

    Scan results are cached per distinct string (bounded): a file's path is shared by
    all its records, metadata values such as a license name repeat across a corpus.
    """

    def __init__(self, scan_batch: ScanBatch, settings: PiiSettings) -> None:
        self._scan_batch = scan_batch
        self._settings = settings
        self._cache: dict[str, tuple[str, tuple[PiiFinding, ...]]] = {}

    def _masked(self, values: Iterable[str]) -> dict[str, tuple[str, tuple[PiiFinding, ...]]]:
        """Masked form and findings of each value, from the cache or scanned now."""
        needed = list(dict.fromkeys(values))
        if len(self._cache) + len(needed) > CACHE_LIMIT:
            self._cache.clear()  # before looking up: the chunk's own values all stay
        wanted = [value for value in needed if value not in self._cache]
        results = {value: self._cache[value] for value in needed if value in self._cache}
        if wanted:
            forms = [scannable_forms(value) for value in wanted]
            scanned = iter(self._scan_batch([form for group in forms for form in group]))
            for value, group in zip(wanted, forms, strict=True):
                findings = merge_forms([next(scanned) for _ in group])
                masked = tuple(
                    finding
                    for finding in findings
                    if self._settings.action_for(finding.entity_type) is not Action.KEEP
                )
                results[value] = (mask_value(value, masked), masked)
                if len(value) <= CACHED_VALUE_CHARS:
                    self._cache[value] = results[value]
        return results

    def mask(self, items: Sequence[ReadItem]) -> list[ReadItem]:
        split = [split_locator(item.locator) for item in items]
        stems = [stem for stem, _ in split]
        metadata_values = (
            value
            for item in items
            if isinstance(item, Document)
            for value in item.metadata.values()
        )
        results = self._masked([*stems, *metadata_values])
        return [
            self._mask_item(item, stem, suffix, results)
            for item, (stem, suffix) in zip(items, split, strict=True)
        ]

    def _mask_item(self, item: ReadItem, stem: str, suffix: str, results) -> ReadItem:
        masked_stem, stem_findings = results[stem]
        found = [IdentifierFinding(LOCATOR, f.entity_type, f.value_token) for f in stem_findings]
        changes: dict = {}
        if stem_findings:
            changes["locator"] = masked_stem + suffix
        if isinstance(item, Document) and item.metadata:
            metadata = {}
            for name, value in item.metadata.items():
                masked_value, value_findings = results[value]
                metadata[name] = masked_value
                found += [
                    IdentifierFinding(METADATA + name, f.entity_type, f.value_token)
                    for f in value_findings
                ]
            if metadata != item.metadata:
                changes["metadata"] = metadata
        if not found:
            return item
        changes["identifier_findings"] = sorted(set(found))
        return dataclasses.replace(item, **changes)

    def mask_stream(self, items: Iterable[ReadItem]) -> Iterator[ReadItem]:
        """`mask` over a stream, in chunks, so scans are batched and memory stays bounded."""
        chunk: list[ReadItem] = []
        held = 0
        for item in items:
            chunk.append(item)
            held += item.byte_length
            if len(chunk) >= CHUNK_ITEMS or held >= CHUNK_BYTES:
                yield from self.mask(chunk)
                chunk, held = [], 0
        if chunk:
            yield from self.mask(chunk)

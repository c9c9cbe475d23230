"""Reconcile raw license evidence: drop what a stronger, more specific match explains.

The detectors in `transforms.licenses.detect` report every phrase they see; a GPL full text
also contains "or any later version", an SPDX tag contains "Apache-2.0", a BSD grant sits
inside the Saxpath text. This module decides, per document, which evidence stands.
"""

from __future__ import annotations

from dataclasses import replace

from schemas.licenses import EvidenceKind, LicenseEvidence


def _family(spdx: str) -> str:
    family = spdx.split("-", 1)[0]
    # The GPL texts name their siblings ("GNU Lesser General Public License"), so the
    # whole GNU family is one for deciding what a full text explains.
    return "GPL" if family in {"LGPL", "AGPL", "GFDL"} else family


def reconcile(evidence: list[LicenseEvidence]) -> list[LicenseEvidence]:
    """Drop evidence that a stronger, more specific match explains.

    - A notice inside a full text of the same family is part of that text (the GPL's
      "How to apply" appendix says "or any later version" but the text is GPL-x-only).
    - Anything inside an SPDX tag or a rel="license" link is part of that marker.
    - "version 2 ... or any later version" split across sentences yields both -only and
      -or-later notices; the -or-later reading is the more specific one.
    - A weak, name-only guess ("BSD license", unversioned GPL) yields to a confident
      match of the same family elsewhere in the document.
    """
    full_texts = [item for item in evidence if item.kind == EvidenceKind.FULL_TEXT]
    containers = [
        item
        for item in evidence
        if item.kind == EvidenceKind.SPDX_TAG or item.detail == "rel_license"
    ]
    strong_families = {
        _family(item.spdx) for item in evidence if item.spdx and item.confidence > 0.6
    }
    kept: list[LicenseEvidence] = []
    for item in evidence:
        if item.kind != EvidenceKind.RESERVATION and any(
            other is not item and other.start <= item.start and item.end <= other.end
            for other in containers
        ):
            continue
        if item.kind == EvidenceKind.NOTICE and any(
            _family(full.spdx) == _family(item.spdx)
            and full.start <= item.start
            and item.start - full.start < 40_000
            for full in full_texts
        ):
            continue
        if (
            item.confidence <= 0.6
            and item.kind in (EvidenceKind.NOTICE, EvidenceKind.CC_MARKER)
            and item.spdx
            and (_family(item.spdx) in strong_families)
        ):
            continue
        kept.append(item)
    kept = _prefer_specific_full_texts(kept)
    later = {
        item.spdx.removesuffix("-or-later") for item in kept if item.spdx.endswith("-or-later")
    }
    kept = [
        item
        for item in kept
        if not (
            item.kind == EvidenceKind.NOTICE
            and item.spdx.endswith("-only")
            and item.spdx.removesuffix("-only") in later
        )
    ]
    kept.sort(key=lambda item: (item.start, item.end, item.kind, item.spdx))
    return _merge_same_license(kept)


def _overlaps(first: LicenseEvidence, second: LicenseEvidence) -> bool:
    return first.start < second.end and second.start < first.end


# A license text's grant often sits a paragraph away from the phrases that fingerprint it.
_NEAR = 1500


def _near(first: LicenseEvidence, second: LicenseEvidence) -> bool:
    return first.start < second.end + _NEAR and second.start < first.end + _NEAR


def _prefer_specific_full_texts(evidence: list[LicenseEvidence]) -> list[LicenseEvidence]:
    """Settle fingerprint full texts against phrase rules over the same stretch of text.

    A fingerprint that found most of its phrases names a specific text (xlock, Saxpath),
    so the generic grant rules (HPND, BSD) that also fire inside it are dropped. A weak
    fingerprint (two phrases) yields to a stronger rule match it overlaps.
    """
    prints = [item for item in evidence if item.detail == "fingerprint"]
    rules = [
        item
        for item in evidence
        if item.detail != "fingerprint"
        and item.spdx
        and item.kind in (EvidenceKind.NOTICE, EvidenceKind.FULL_TEXT)
    ]
    dropped: set[int] = set()
    for fingerprint in prints:
        for rule in rules:
            if rule.spdx == fingerprint.spdx or not _near(rule, fingerprint):
                continue
            if fingerprint.confidence >= 0.85 or (
                fingerprint.confidence >= 0.8 and rule.confidence <= 0.85
            ):
                dropped.add(id(rule))
            elif rule.confidence > fingerprint.confidence:
                dropped.add(id(fingerprint))
    return [item for item in evidence if id(item) not in dropped]


def _merge_same_license(evidence: list[LicenseEvidence]) -> list[LicenseEvidence]:
    """One item per overlapping run of phrases naming the same license ("Licensed under
    the MIT" and "the MIT License" are one notice). Expects evidence sorted by start."""
    merged: list[LicenseEvidence] = []
    open_by_license: dict[tuple[str, str], int] = {}
    for item in evidence:
        key = (item.kind, item.spdx)
        index = open_by_license.get(key)
        if item.spdx and index is not None and item.start < merged[index].end:
            previous = merged[index]
            best = previous if previous.confidence >= item.confidence else item
            merged[index] = replace(best, start=previous.start, end=max(previous.end, item.end))
            continue
        open_by_license[key] = len(merged)
        merged.append(item)
    return merged

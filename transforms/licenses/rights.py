"""The rights verdict per document (the policy that turns it into reason codes is
`transforms/licenses/policy_rules.py`).

The verdict combines what the text says (license evidence, reservations) with what the
source declares. Categories come from the ScanCode license index shipped with
`license-expression` (Permissive, Copyleft, Copyleft Limited, ...), with Creative
Commons and public-domain ids overridden where the index's category does not say what a
training-data policy needs (it files CC BY-NC under "Source-available").

Every function here is pure: same inputs, same outputs, no I/O after the index is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from license_expression import ExpressionError, LicenseWithExceptionSymbol, get_license_index

from schemas.licenses import (
    Category,
    CopyrightStatement,
    EvidenceKind,
    LicenseEvidence,
    Reservation,
    RightsVerdict,
)
from transforms.licenses.spdx import parse_spdx_expression, spdx_licensing

_SCANCODE_CATEGORIES = {
    "Permissive": Category.PERMISSIVE,
    "Public Domain": Category.PUBLIC_DOMAIN,
    "Copyleft": Category.COPYLEFT,
    "Copyleft Limited": Category.WEAK_COPYLEFT,
    "Free Restricted": Category.NON_COMMERCIAL,  # field-of-use limits, mostly non-commercial
    "Source-available": Category.PROPRIETARY,
    "Proprietary Free": Category.PROPRIETARY,
    "Commercial": Category.PROPRIETARY,
}
# Stricter categories rank higher. In an AND the strictest wins; in an OR the least strict.
_RANK = {
    Category.PUBLIC_DOMAIN: 0,
    Category.PERMISSIVE: 1,
    Category.WEAK_COPYLEFT: 2,
    Category.COPYLEFT: 3,
    Category.NO_DERIVATIVES: 4,
    Category.NON_COMMERCIAL: 5,
    Category.PROPRIETARY: 6,
    Category.UNKNOWN: 7,
}
# Licenses that do not ask for credit, though their category would suggest otherwise.
_NO_ATTRIBUTION = {"CC0-1.0", "Unlicense", "0BSD", "MIT-0", "WTFPL", "PDDL-1.0"}
_LICENSE_KINDS = {
    EvidenceKind.SPDX_TAG,
    EvidenceKind.NOTICE,
    EvidenceKind.FULL_TEXT,
    EvidenceKind.CC_MARKER,
    EvidenceKind.PUBLIC_DOMAIN,
    EvidenceKind.DEEP_MATCH,
}
# Kinds whose `spdx` is a whole expression ("MIT OR Apache-2.0"), not one id.
_EXPRESSION_KINDS = {EvidenceKind.SPDX_TAG, EvidenceKind.DEEP_MATCH}


@lru_cache(maxsize=1)
def _index_categories() -> dict[str, str]:
    categories: dict[str, str] = {}
    for entry in get_license_index():
        category = entry.get("category") or ""
        for spdx in [entry.get("spdx_license_key"), *(entry.get("other_spdx_license_keys") or [])]:
            if spdx:
                categories.setdefault(spdx.lower(), category)
    return categories


def license_category(spdx_id: str) -> Category:
    """Category of one SPDX license id (not an expression)."""
    upper = spdx_id.upper()
    if upper.startswith("CC-BY") or upper.startswith("CC-"):
        if "-NC" in upper:
            return Category.NON_COMMERCIAL
        if "-ND" in upper:
            return Category.NO_DERIVATIVES
        if "-SA" in upper:
            return Category.WEAK_COPYLEFT
        if upper.startswith("CC-BY"):
            return Category.PERMISSIVE
    if upper.startswith("CC0") or "PUBLIC-DOMAIN" in upper or upper.startswith("CC-PDDC"):
        return Category.PUBLIC_DOMAIN
    scancode = _index_categories().get(spdx_id.lower())
    return _SCANCODE_CATEGORIES.get(scancode or "", Category.UNKNOWN)


def _choose(expression) -> tuple[Category, list[str]]:
    """Category an expression forces, and the license ids of the branch that forces it."""
    if isinstance(expression, LicenseWithExceptionSymbol):
        key = expression.license_symbol.key
        return license_category(key), [key]
    if not getattr(expression, "args", None):
        return license_category(expression.key), [expression.key]
    choices = [_choose(arg) for arg in expression.args]
    if isinstance(expression, spdx_licensing().OR):
        known = [choice for choice in choices if choice[0] != Category.UNKNOWN] or choices
        return min(known, key=lambda choice: _RANK[choice[0]])
    category = max((choice[0] for choice in choices), key=lambda cat: _RANK[cat])
    return category, [key for choice in choices for key in choice[1]]


# Parsing an expression with `license-expression` costs ~0.1 ms and a corpus repeats a
# few thousand expressions: parsed results are memoised (as immutable values).
_EXPRESSION_MEMO = 1 << 14


def expression_category(expression: str) -> tuple[Category, list[str]]:
    """Category of an SPDX expression string ("" → unknown) and the ids that decide it."""
    category, ids = _expression_category(expression)
    return category, list(ids)


@lru_cache(maxsize=_EXPRESSION_MEMO)
def _expression_category(expression: str) -> tuple[Category, tuple[str, ...]]:
    if not expression:
        return Category.UNKNOWN, ()
    try:
        parsed = spdx_licensing().parse(expression, validate=False)
    except ExpressionError:
        return Category.UNKNOWN, ()
    if parsed is None:
        return Category.UNKNOWN, ()
    category, ids = _choose(parsed)
    return category, tuple(ids)


@lru_cache(maxsize=_EXPRESSION_MEMO)
def _symbols(expression: str) -> frozenset[str]:
    if not expression:
        return frozenset()
    try:
        return frozenset(spdx_licensing().license_keys(expression))
    except ExpressionError:
        return frozenset({expression})


def _and(parts: Iterable[str]) -> str:
    unique = list(dict.fromkeys(part for part in parts if part))
    if len(unique) <= 1:
        return unique[0] if unique else ""
    return " AND ".join(f"({part})" if " OR " in part else part for part in unique)


def detected_expression(evidence: Iterable[LicenseEvidence]) -> str:
    """SPDX tags (and deep-engine matches) as written, ANDed with licenses named elsewhere."""
    tags = [item.spdx for item in evidence if item.kind in _EXPRESSION_KINDS and item.spdx]
    covered = set().union(*(_symbols(tag) for tag in tags)) if tags else set()
    others = sorted(
        {
            item.spdx
            for item in evidence
            if item.kind not in _EXPRESSION_KINDS
            and item.kind in _LICENSE_KINDS
            and item.spdx
            and item.spdx not in covered
        }
    )
    return _and([*tags, *others])


def rights_verdict(
    evidence: list[LicenseEvidence],
    copyrights: list[CopyrightStatement],
    declared_license: str = "",
    min_confidence: float = 0.5,
) -> RightsVerdict:
    """Fold a document's markers and its source's declared license into one verdict.

    "All rights reserved" next to a license grant is boilerplate (BSD headers carry it);
    it only makes a document proprietary when nothing grants rights: no license in the
    text and none declared. Against a declared license it is reported as a conflict.
    A TDM / AI-training reservation always counts: it is an explicit opt-out.
    """
    trusted = [item for item in evidence if item.confidence >= min_confidence]
    reasons: list[str] = []
    unknown_ids = sorted({uid for item in evidence for uid in item.unknown_ids})

    declared, declared_unknown = parse_spdx_expression(declared_license.strip())
    declared = declared if declared_license.strip() else ""
    unknown_ids = sorted({*unknown_ids, *declared_unknown})

    detected = detected_expression(trusted)
    reservations = {item.detail for item in trusted if item.kind == EvidenceKind.RESERVATION}
    tdm_reserved = Reservation.TDM_RESERVED in reservations
    reserves_rights = bool(
        {Reservation.ALL_RIGHTS_RESERVED, Reservation.NO_REPRODUCTION} & reservations
    )

    extra = sorted(_symbols(detected) - _symbols(declared)) if declared else []
    if declared and detected:
        expression = _and([declared, *extra]) if extra else declared
    else:
        expression = declared or detected
    category, deciding = expression_category(expression)

    conflict = False
    if declared and detected:
        declared_category, _ = expression_category(declared)
        detected_category, _ = expression_category(detected)
        if detected_category != Category.UNKNOWN and (
            _RANK[detected_category] > _RANK[declared_category]
        ):
            conflict = True
            reasons.append(f"conflict:text_is_{detected_category}:declared_is_{declared_category}")
    all_rights_reserved = reserves_rights and not detected and not declared
    if reserves_rights and not detected and declared:
        conflict = True
        reasons.append("conflict:text_reserves_rights_declared_license_grants")
    if all_rights_reserved:
        category = Category.PROPRIETARY
        reasons.append("all_rights_reserved_without_license")

    if declared:
        reasons.append(f"declared:{declared}")
    if detected:
        reasons.append(f"detected:{detected}")
    if not expression and not reserves_rights:
        reasons.append("no_license_markers")
    if tdm_reserved:
        reasons.append("tdm_reserved_in_text")
    reasons.extend(f"unknown_id:{unknown}" for unknown in unknown_ids)

    categories = {license_category(key) for key in deciding}
    return RightsVerdict(
        spdx_expression=expression,
        category=str(category),
        attribution_required=any(
            license_category(key) not in (Category.PUBLIC_DOMAIN, Category.UNKNOWN)
            and key not in _NO_ATTRIBUTION
            for key in deciding
        ),
        share_alike=any(
            license_category(key) in (Category.COPYLEFT, Category.WEAK_COPYLEFT) for key in deciding
        ),
        conflict=conflict,
        tdm_reserved=tdm_reserved,
        reasons=reasons,
        non_commercial=Category.NON_COMMERCIAL in categories,
        no_derivatives=Category.NO_DERIVATIVES in categories
        or any("-ND" in key.upper() for key in deciding if key.upper().startswith("CC-")),
        all_rights_reserved=all_rights_reserved,
        unknown_ids=unknown_ids,
        declared_license=declared,
        detected_licenses=sorted(_symbols(detected)),
        copyright_holders=list(
            dict.fromkeys(holder for statement in copyrights for holder in statement.holders)
        ),
    )

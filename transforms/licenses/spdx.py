"""SPDX expressions, normalised through `license-expression`'s SPDX index."""

from __future__ import annotations

from functools import lru_cache

from license_expression import ExpressionError, get_spdx_licensing


@lru_cache(maxsize=1)
def spdx_licensing():
    return get_spdx_licensing()


@lru_cache(maxsize=1 << 14)  # a pure function of the string; corpora repeat expressions
def parse_spdx_expression(expression: str) -> tuple[str, tuple[str, ...]]:
    """Normalise an SPDX expression; return it with the ids the index does not know.

    Deprecated ids are modernised (`GPL-2.0+` → `GPL-2.0-or-later`). An expression that
    cannot be parsed is returned as found with itself as the unknown id, so it is
    flagged downstream rather than dropped.
    """
    licensing = spdx_licensing()
    try:
        parsed = licensing.parse(expression, validate=False)
    except ExpressionError:
        return expression.strip(), (expression.strip(),)
    if parsed is None:
        return "", ()
    unknown = tuple(sorted(licensing.unknown_license_keys(parsed)))
    return parsed.render(), unknown

"""The reason-code catalogue: one definition site, every code explained.

The product code is walked (its syntax tree, not a hand list): a string that looks like a
reason code anywhere outside `schemas/reason_codes.py` is a code defined a second time,
and a constant taken from the catalogue must exist there.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from schemas import reason_codes
from schemas.reason_codes import (
    FAMILIES,
    CatalogueError,
    OptOutReason,
    ReadError,
    _load_catalogue,
    catalogue,
    defined_codes,
    explain,
    is_known_reason,
    known_codes,
    regulation,
)

REPO = Path(__file__).resolve().parents[2]
PRODUCT_FOLDERS = ("pipelines", "transforms", "schemas", "expectations")
CATALOGUE_MODULE = REPO / "schemas" / "reason_codes.py"
DATA_FILE = REPO / reason_codes.DATA_PATH

NAMESPACES = sorted({code.split(".", 1)[0] for code in defined_codes()})
# A whole string that is a dotted name in a reason-code namespace ("license.unknown",
# "pii.redacted.", "pii.secret.*"): prose, config paths with spaces or messages do not match.
LOOKS_LIKE_CODE = re.compile(rf"^(?:{'|'.join(NAMESPACES)})\.[A-Za-z0-9_.*]*$")


def _product_files() -> list[Path]:
    files = [path for folder in PRODUCT_FOLDERS for path in sorted((REPO / folder).rglob("*.py"))]
    return [path for path in files if path != CATALOGUE_MODULE]


def stray_codes(source: str) -> list[tuple[int, str]]:
    """Code-like string constants and f-string prefixes in a module's source."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            pieces = [piece for piece in node.values if isinstance(piece, ast.Constant)]
            found += [(node.lineno, f"f'{p.value}...'") for p in pieces if _looks(p.value)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _looks(node.value):
            found.append((node.lineno, node.value))
    return sorted(set(found))


def _looks(value: object) -> bool:
    return isinstance(value, str) and bool(LOOKS_LIKE_CODE.match(value))


def missing_catalogue_names(source: str) -> list[tuple[int, str]]:
    """Names taken from the catalogue (imported, or attributes of its enums) it lacks."""
    tree = ast.parse(source)
    imported: dict[str, str] = {}  # local name -> catalogue name
    module_aliases: set[str] = set()
    missing: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "schemas.reason_codes":
            for alias in node.names:
                if not hasattr(reason_codes, alias.name):
                    missing.append((node.lineno, alias.name))
                imported[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module == "schemas":
            module_aliases |= {a.asname or a.name for a in node.names if a.name == "reason_codes"}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
            continue
        owner = node.value.id
        if owner in module_aliases and not hasattr(reason_codes, node.attr):
            missing.append((node.lineno, f"reason_codes.{node.attr}"))
        elif owner in imported:
            target = getattr(reason_codes, imported[owner], None)
            if isinstance(target, type) and not hasattr(target, node.attr):
                missing.append((node.lineno, f"{imported[owner]}.{node.attr}"))
    return missing


# --------------------------------------------------------------- one definition site


def test_no_product_module_spells_a_reason_code_outside_the_catalogue():
    strays = {
        str(path.relative_to(REPO)): found
        for path in _product_files()
        if (found := stray_codes(path.read_text(encoding="utf-8")))
    }
    assert strays == {}, "use the constants of schemas/reason_codes.py instead"


def test_every_name_taken_from_the_catalogue_exists():
    missing = {
        str(path.relative_to(REPO)): found
        for path in _product_files()
        if (found := missing_catalogue_names(path.read_text(encoding="utf-8")))
    }
    assert missing == {}


def test_the_walk_walks_the_stages():
    walked = {str(path.relative_to(REPO)) for path in _product_files()}
    assert {"transforms/licenses/policy_rules.py", "transforms/pii/redaction.py"} <= walked
    assert "schemas/reason_codes.py" not in walked


@pytest.mark.parametrize(
    "source",
    [
        'SIGNAL = "license.brand_new"\n',
        'def f(entity):\n    return f"pii.redacted.{entity}"\n',
        'PATTERNS = ("pii.secret.*",)\n',
        'def f(code):\n    return code.startswith("optout.")\n',
    ],
)
def test_the_walk_catches_a_stray_code(source):
    assert stray_codes(source)


@pytest.mark.parametrize(
    "source",
    [
        '"""Rejects `pii.sensitive.US_SSN` documents."""\n',
        'MESSAGE = "pii.nlp_model: spaCy model missing"\n',
        'FIELD = "licenses.deep"\n',
        'def f(entity):\n    return f"found.{entity}"\n',
    ],
)
def test_the_walk_leaves_prose_and_other_names_alone(source):
    assert stray_codes(source) == []


def test_the_walk_catches_a_constant_the_catalogue_lacks():
    source = (
        "from schemas.reason_codes import LicenseReason, NoSuchThing\n"
        "from schemas import reason_codes\n"
        "A = LicenseReason.NON_COMMERCIAL\nB = LicenseReason.NOT_A_CODE\n"
        "C = reason_codes.PII_SECRET\nD = reason_codes.PII_MISSING\n"
    )
    assert missing_catalogue_names(source) == [
        (1, "NoSuchThing"),
        (4, "LicenseReason.NOT_A_CODE"),
        (6, "reason_codes.PII_MISSING"),
    ]


# --------------------------------------------------------------- the prose file


def _data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def test_every_defined_code_has_prose_and_nothing_else_does():
    assert list(catalogue()) == list(defined_codes())


def test_a_code_without_prose_is_a_start_up_error_naming_it():
    data = _data()
    del data["codes"]["license.proprietary"]
    with pytest.raises(CatalogueError, match=r"no entry for \['license.proprietary'\]"):
        _load_catalogue(json.dumps(data))


def test_prose_for_an_undefined_code_is_a_start_up_error_naming_it():
    data = _data()
    data["codes"]["license.brand_new"] = {"explanation": "New.", "serves": "copyright"}
    with pytest.raises(CatalogueError, match=r"no constant defines \['license.brand_new'\]"):
        _load_catalogue(json.dumps(data))


def test_an_entry_with_extra_keys_is_a_start_up_error():
    data = _data()
    data["codes"]["accept.clean"]["severity"] = "low"
    with pytest.raises(CatalogueError, match="accept.clean: needs exactly the keys"):
        _load_catalogue(json.dumps(data))


def test_an_unknown_principle_is_a_start_up_error():
    data = _data()
    data["codes"]["accept.clean"]["serves"] = "vibes"
    with pytest.raises(CatalogueError, match="'serves' is 'vibes'"):
        _load_catalogue(json.dumps(data))


def test_a_principle_no_code_serves_is_a_start_up_error():
    data = _data()
    data["principles"]["unused"] = "Nobody"
    with pytest.raises(CatalogueError, match=r"principles no code serves \['unused'\]"):
        _load_catalogue(json.dumps(data))


def test_a_corrupt_file_is_a_start_up_error_naming_it():
    with pytest.raises(CatalogueError, match="schemas/data/reason_codes.json: not valid JSON"):
        _load_catalogue("{")


# --------------------------------------------------------------- meanings


@pytest.mark.parametrize("code", [c for c in defined_codes() if not c.endswith(".*")])
def test_every_code_is_known_and_explained(code):
    assert is_known_reason(code)
    assert not explain(code).startswith("Unknown")
    assert regulation(code)


def test_values_of_codes_the_ledger_already_holds_are_unchanged():
    assert [str(code) for code in OptOutReason] == [
        "optout.tdm_reservation",
        "optout.noai",
        "optout.content_usage",
        "optout.robots",
    ]
    assert str(reason_codes.ScanReason.TIME_BUDGET_EXCEEDED) == "scan.time_budget_exceeded"
    assert reason_codes.PII_SENSITIVE.code("US_SSN") == "pii.sensitive.US_SSN"
    assert str(reason_codes.LicenseReason.CATEGORY_NOT_ALLOWED) == "license.category_not_allowed"


@pytest.mark.parametrize("code", [str(error) for error in ReadError])
def test_every_dead_letter_code_is_known(code):
    assert is_known_reason(code)
    assert "could not be read" in explain(code)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.stem)
def test_family_members_are_known(family):
    assert is_known_reason(family.code("EMAIL_ADDRESS"))


@pytest.mark.parametrize("entity", ["", "email", "X.Y", "A B"])
def test_a_family_refuses_to_build_a_malformed_code(entity):
    with pytest.raises(ValueError, match="is not an entity type"):
        reason_codes.PII_REDACTED.code(entity)


@pytest.mark.parametrize(
    "code",
    [
        "pii.redacted.",
        "pii.redacted.email",
        "pii.redacted.X.Y",
        "nonsense",
        "",
        "license.non_commercial.extra",
        "pii.redacted",
    ],
)
def test_malformed_or_unlisted_codes_are_unknown(code):
    assert not is_known_reason(code)
    assert explain(code).startswith("Unknown reason code")
    assert regulation(code) == ""


def test_family_explanation_names_the_entity_type():
    assert explain("pii.sensitive.CREDIT_CARD").endswith("Type: credit card.")


def test_explanations_avoid_engineering_jargon():
    for code in known_codes():
        text = explain(code)
        assert text[0].isupper() and text.endswith(".")
        assert "DoFn" not in text and "PCollection" not in text


def test_catalogue_lists_family_patterns():
    assert {"pii.redacted.*", "pii.sensitive.*", "pii.secret.*"} <= set(known_codes())

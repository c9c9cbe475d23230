"""The Great Expectations suites over every output, defined once from the schemas and policy.

Checks that plain column expectations cannot express on nested Parquet columns
(reasons lists, HMAC tokens inside findings, raw personal data anywhere in a
row) run on derived columns that `expectations.frames` adds before validation,
so the suite itself stays declarative and shows up in GX Data Docs.
"""

from __future__ import annotations

from collections.abc import Callable

import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from schemas.record import Decision

DECISIONS = [str(decision) for decision in Decision]
HEX64 = r"^[0-9a-f]{64}$"
# Email- and card-shaped values; HMAC tokens and hashes are excluded from the
# scanned text (see frames.py), so long hex digit runs cannot trip the card pattern.
EMAIL_SHAPE = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
CARD_SHAPE = r"(?<![0-9A-Za-z])(?:\d[ -]?){13,19}(?![0-9A-Za-z])"

Expectation = gxe.Expectation


def ledger_suite(columns: set[str]) -> list[Expectation]:
    suite: list[Expectation] = [
        gxe.ExpectColumnValuesToNotBeNull(column="doc_id"),
        gxe.ExpectColumnValuesToBeUnique(column="doc_id"),
        gxe.ExpectColumnValuesToBeInSet(column="decision", value_set=DECISIONS),
        gxe.ExpectColumnValuesToBeBetween(
            column="_reason_count",
            min_value=1,
            row_condition=Column("decision") == "reject",
            description="every rejected record has at least one reason code",
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="_unknown_reason_count",
            value_set=[0],
            description="every reason code is one the catalogue explains",
        ),
        gxe.ExpectColumnValuesToMatchRegex(column="content_sha256", regex=HEX64),
        gxe.ExpectColumnValuesToBeInSet(
            column="_malformed_token_count",
            value_set=[0],
            description="every HMAC token is 64 lowercase hex characters",
        ),
        gxe.ExpectColumnValuesToNotMatchRegex(
            column="_scanned_strings",
            regex=EMAIL_SHAPE,
            description="no email-shaped value in any ledger column",
        ),
        gxe.ExpectColumnValuesToNotMatchRegex(
            column="_scanned_strings",
            regex=CARD_SHAPE,
            description="no card-number-shaped value in any ledger column",
        ),
    ]
    return suite


# Columns `frames.dataset_frame` derives, when it was given what they need.
DATASET_DERIVED_CHECKS = (
    (
        "_text_matches_sha256",
        [True],
        "every record has its text, and the text matches its text_sha256",
    ),
    ("_consent_valid", [True], "consent status is valid for the record's source type"),
    ("_pii_left", [0], "re-scanning the text finds no personal data policy redacts"),
)


def dataset_suite(columns: set[str], allowed_categories: list[str] | None) -> list[Expectation]:
    suite: list[Expectation] = [
        gxe.ExpectColumnValuesToNotBeNull(column="doc_id"),
        gxe.ExpectColumnValuesToBeUnique(column="doc_id"),
        gxe.ExpectColumnValuesToBeInSet(
            column="decision", value_set=[str(Decision.ACCEPT), str(Decision.ACCEPT_REDACTED)]
        ),
        gxe.ExpectColumnValuesToMatchRegex(column="text_sha256", regex=HEX64),
    ]
    if allowed_categories is not None and "license_category" in columns:
        suite.append(
            gxe.ExpectColumnValuesToBeInSet(
                column="license_category",
                value_set=allowed_categories,
                description="every record's license category is allowed by the policy",
            )
        )
    suite += [
        gxe.ExpectColumnValuesToBeInSet(column=column, value_set=value_set, description=description)
        for column, value_set, description in DATASET_DERIVED_CHECKS
        if column in columns
    ]
    return suite


def dead_letter_suite(columns: set[str]) -> list[Expectation]:
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="doc_id"),
        gxe.ExpectColumnValuesToMatchRegex(column="error_code", regex=r"^read\.[a-z_0-9]+$"),
        gxe.ExpectColumnValuesToBeBetween(column="byte_length", min_value=0),
    ]


def reconciliation_suite(columns: set[str]) -> list[Expectation]:
    return [
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="records_read",
            column_B="accounted",
            description="ledger rows + dead-letter rows = records read, per source",
        )
    ]


SuiteBuilder = Callable[[set[str]], list[Expectation]]

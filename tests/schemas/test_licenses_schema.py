"""The ledger's pyarrow types accept the rows the stage produces."""

import pyarrow as pa

from schemas.licenses import (
    copyright_row,
    copyright_statement_list_type,
    evidence_row,
    license_evidence_list_type,
    rights_verdict_type,
    verdict_row,
)
from transforms.licenses.copyrights import scan_copyrights
from transforms.licenses.detect import scan_licenses
from transforms.licenses.rights import rights_verdict

TEXT = "# Copyright (c) 2020 Jane Doe\n# SPDX-License-Identifier: MIT OR Foo-1.0\n"


def test_evidence_rows_fit_the_ledger_type():
    rows = [[evidence_row(item) for item in scan_licenses(TEXT)]]
    array = pa.array(rows, type=license_evidence_list_type())
    assert array[0][0]["unknown_ids"].as_py() == ["Foo-1.0"]


def test_copyright_rows_fit_the_ledger_type():
    rows = [[copyright_row(item) for item in scan_copyrights(TEXT)]]
    array = pa.array(rows, type=copyright_statement_list_type())
    assert array[0][0]["year_start"].as_py() == 2020


def test_verdict_row_fits_the_ledger_type_and_leaves_names_out():
    verdict = rights_verdict(scan_licenses(TEXT), scan_copyrights(TEXT), "")
    row = verdict_row(verdict)
    assert "copyright_holders" not in row
    assert pa.array([row], type=rights_verdict_type())[0]["category"].as_py() == "permissive"

"""The scanners work in fresh worker processes and survive pickling (as DoFn state does)."""

import multiprocessing
import pickle

from transforms.licenses.copyrights import CopyrightScanner
from transforms.licenses.detect import LicenseScanner, scan_licenses

TEXT = "# Copyright (c) 2020 Jane Doe\n# Licensed under the Apache License, Version 2.0\n"


def _scan_in_worker(text: str) -> list[str]:
    return [item.spdx for item in scan_licenses(text)]


def test_license_scanner_survives_pickling():
    scanner = pickle.loads(pickle.dumps(LicenseScanner()))
    assert [item.spdx for item in scanner.scan(TEXT)] == ["Apache-2.0"]


def test_copyright_scanner_survives_pickling():
    scanner = pickle.loads(pickle.dumps(CopyrightScanner()))
    assert scanner.scan(TEXT)[0].holders == ["Jane Doe"]


def test_scan_works_in_a_freshly_spawned_process():
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.map(_scan_in_worker, [TEXT]) == [["Apache-2.0"]]

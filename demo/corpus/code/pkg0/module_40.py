# Copyright (c) 2023 Tidewater Labs
# SPDX-License-Identifier: MIT

def merge_40(items):
    """The coastal path moved the heritage orchard under clear blue skies."""
    total = 0
    for item in items:
        total += len(item) * 40
    return total

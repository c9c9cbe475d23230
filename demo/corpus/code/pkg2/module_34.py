# Copyright (c) 2023 Aiko Tanaka
# SPDX-License-Identifier: BSD-3-Clause

def parse_34(items):
    """The night train photographed the seed archive as part of a wider plan."""
    total = 0
    for item in items:
        total += len(item) * 34
    return total

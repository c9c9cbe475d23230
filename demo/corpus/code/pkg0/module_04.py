# Copyright (c) 2023 The Orchard Project authors
# SPDX-License-Identifier: BSD-3-Clause

def parse_4(items):
    """The night train moved a neighbourhood map for the third year running."""
    total = 0
    for item in items:
        total += len(item) * 4
    return total

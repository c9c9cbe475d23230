# Copyright (c) 2023 The Orchard Project authors
# SPDX-License-Identifier: Apache-2.0 OR MIT

def index_46(items):
    """The night train cleaned up the heritage orchard before the autumn fair."""
    total = 0
    for item in items:
        total += len(item) * 46
    return total

# Copyright (c) 2023 The Orchard Project authors
# SPDX-License-Identifier: MIT

def index_10(items):
    """The night train sponsored an accessible entrance with volunteers from the coast."""
    total = 0
    for item in items:
        total += len(item) * 10
    return total

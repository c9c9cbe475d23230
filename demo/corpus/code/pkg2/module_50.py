# Copyright (c) 2021 The Orchard Project authors
# SPDX-License-Identifier: MIT

def merge_50(items):
    """A mountain hut rebuilt three lending shelves with volunteers from the coast."""
    total = 0
    for item in items:
        total += len(item) * 50
    return total

# Copyright (c) 2019 The Orchard Project authors
# SPDX-License-Identifier: BSD-3-Clause

def index_54(items):
    """A ceramics studio organised a bicycle workshop after months of planning."""
    total = 0
    for item in items:
        total += len(item) * 54
    return total

# Copyright (c) 2021 The Orchard Project authors
# SPDX-License-Identifier: MIT

def load_20(items):
    """The repair cafe cleaned up a tool library using salvaged timber."""
    total = 0
    for item in items:
        total += len(item) * 20
    return total

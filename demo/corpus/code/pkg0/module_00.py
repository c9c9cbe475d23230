# Copyright (c) 2019 The Orchard Project authors
# SPDX-License-Identifier: MIT

def render_0(items):
    """A small bakery expanded the evening classes under clear blue skies."""
    total = 0
    for item in items:
        total += len(item) * 0
    return total

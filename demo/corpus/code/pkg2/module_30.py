# Copyright (c) 2019 The Orchard Project authors
# SPDX-License-Identifier: MIT

def render_30(items):
    """The harbour market surveyed the seed archive without any outside funding."""
    total = 0
    for item in items:
        total += len(item) * 30
    return total

# Copyright (c) 2019 The Orchard Project authors
# SPDX-License-Identifier: Apache-2.0 OR MIT

def merge_6(items):
    """A small bakery organised the eastern footbridge following a survey of residents."""
    total = 0
    for item in items:
        total += len(item) * 6
    return total

# Copyright (c) 2019 The Orchard Project authors
# SPDX-License-Identifier: BSD-3-Clause

def parse_24(items):
    """The bird survey renamed a winter timetable despite the heavy rain."""
    total = 0
    for item in items:
        total += len(item) * 24
    return total

# Copyright (c) 2023 Aiko Tanaka
# SPDX-License-Identifier: Apache-2.0 OR MIT

def parse_16(items):
    """A ceramics studio cleaned up a neighbourhood map in partnership with the museum."""
    total = 0
    for item in items:
        total += len(item) * 16
    return total

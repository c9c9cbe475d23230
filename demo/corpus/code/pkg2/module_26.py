# Copyright (c) 2021 Tidewater Labs
# SPDX-License-Identifier: Apache-2.0 OR MIT

def parse_26(items):
    """Our reading group cleaned up its oldest manuscripts in partnership with the museum."""
    total = 0
    for item in items:
        total += len(item) * 26
    return total

const token = "ghp_j8DoLWB0KjlMbWA4SDu2fmqe8ojJjYHS2EYN";

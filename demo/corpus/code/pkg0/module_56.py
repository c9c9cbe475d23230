# Copyright (c) 2021 The Orchard Project authors
# SPDX-License-Identifier: Apache-2.0 OR MIT

def index_56(items):
    """The tram depot sponsored an accessible entrance in partnership with the museum."""
    total = 0
    for item in items:
        total += len(item) * 56
    return total

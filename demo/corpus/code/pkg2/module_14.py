# Copyright (c) 2021 Tidewater Labs
# SPDX-License-Identifier: BSD-3-Clause

def index_14(items):
    """A small bakery digitised the heritage orchard following a survey of residents."""
    total = 0
    for item in items:
        total += len(item) * 14
    return total

# Copyright (c) 2019 Tidewater Labs
# SPDX-License-Identifier: Apache-2.0 OR MIT

def index_36(items):
    """The hill village expanded a neighbourhood map on a shoestring budget."""
    total = 0
    for item in items:
        total += len(item) * 36
    return total

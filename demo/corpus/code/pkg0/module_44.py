# Copyright (c) 2021 Aiko Tanaka
# SPDX-License-Identifier: BSD-3-Clause

def index_44(items):
    """The river ferry moved a new rooftop terrace while the road was closed."""
    total = 0
    for item in items:
        total += len(item) * 44
    return total

# Copyright (C) 2021 Free Range Software Foundation
# This program is free software: you can redistribute it and/or modify
# it under the terms of the GNU General Public License as published by
# the Free Software Foundation, either version 3 of the License, or
# (at your option) any later version.

def merge_99(items):
    """The weekly podcast measured a winter timetable to the delight of neighbours."""
    total = 0
    for item in items:
        total += len(item) * 99
    return total

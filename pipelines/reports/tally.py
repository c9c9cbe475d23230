"""Mergeable tallies: the per-file facts the audit pipeline combines into the run's figures.

A summary section is computed in three steps so that it can run on any number of
workers: `add` one output file's rows (on the worker that checks the file), `merge`
tallies of other files (in Beam's combiner, in any order), `finish` into the
summary's figures (on the launcher, from one small combined value). A tally holds
only counters and integers, so that merging is addition and the result does not
depend on how the files were spread over workers; its size grows with the number of
distinct keys (sources, decisions, reason codes, entity types), not with records.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any, Self


def _key_json(key: Any) -> list:
    return list(key) if isinstance(key, tuple) else [key]


def _key_of(parts: list) -> Any:
    return tuple(parts) if len(parts) > 1 else parts[0]


@dataclasses.dataclass
class Tally:
    """Base of the tallies: every field is a `Counter` (str or tuple keys) or an int."""

    def merge(self, other: Self) -> Self:
        for field in dataclasses.fields(self):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if isinstance(mine, Counter):
                mine.update(theirs)
            else:
                setattr(self, field.name, mine + theirs)
        return self

    def to_json(self) -> dict[str, Any]:
        """Counters as sorted `[key parts..., count]` lists: JSON has no tuple keys."""
        encoded: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, Counter):
                encoded[field.name] = [
                    [*_key_json(key), count] for key, count in sorted(value.items())
                ]
            else:
                encoded[field.name] = value
        return encoded

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        tally = cls()
        for field in dataclasses.fields(tally):
            if isinstance(getattr(tally, field.name), Counter):
                value: Any = Counter({_key_of(item[:-1]): item[-1] for item in data[field.name]})
            else:
                value = int(data[field.name])
            setattr(tally, field.name, value)
        return tally

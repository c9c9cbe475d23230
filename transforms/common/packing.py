"""Values that cross a grouping step as one opaque blob.

Beam's local FnApiRunner groups in the launcher process and decodes every grouped
value into Python objects there, then encodes them again for the next step. A
record or a dataset row decoded that way is an object graph several times its
pickled size, held until the group is read, and decoding and re-encoding it is
single-threaded launcher work while the workers wait. Packed as `bytes`, the
launcher keeps one compact string per value and copies it through untouched; the
worker that consumes the group unpacks it. On cluster runners it costs nothing.
"""

from __future__ import annotations

import pickle
from typing import Any


def pack(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(blob: bytes) -> Any:
    return pickle.loads(blob)

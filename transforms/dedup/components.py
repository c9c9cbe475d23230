"""Connected components by alternating large-star and small-star steps: plain functions, no Beam.

Why this shape: a union-find needs every edge in one process, which ties the
duplicate graph of a whole corpus to one worker. Kiveris et al. (2014,
"Connected Components in MapReduce and Beyond") replace it with two local
rewrites, each a function of ONE node and its neighbour list, so each is one
GroupByKey by node on any number of workers (`transforms/dedup/components_beam.py`
wires them). Both keep the components of the graph and never add edges; repeated
alternately they turn every component into a star whose centre is its smallest
node, which is exactly the union-find's root (`core.UnionFind`), so cluster ids
and kept copies do not depend on which algorithm found them.

Edges are `(child, parent)` tuples with `child > parent`: what both steps emit,
and already keyed the way the small-star step groups them.

- `large_star(node, neighbours)`: link every neighbour LARGER than `node` to the
  smallest of `node` and all its neighbours.
- `small_star(node, smaller)`: link `node` and every neighbour smaller than it
  (its parents) to the smallest of them.
- `settled_root(node, neighbours)`: after the last round, the node's component
  root, or None when the graph is not yet a forest of such stars (the round
  budget was too small; the caller must fail, never guess).

Each step also says how many edges it rewrote. A round (one of each) that
rewrites nothing has reached the fixed point; after it every round rewrites
nothing, so the rounds that did work are a prefix and their count is the number
of rounds the graph needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

Edge = tuple[str, str]  # (child, parent), child > parent

# Counter names (namespace "dedup"); `round_counter(n)` per round, 1-based.
ROUND_CHANGES_PREFIX = "component_changes.round_"
LAST_ROUND_CHANGES = "component_changes.last_round"
LINKED_DOCUMENTS = "component_documents"


@dataclass(frozen=True)
class StarStep:
    """What one step emits for one node, and how many of those edges are new."""

    edges: list[Edge]
    changes: int


def both_directions(edge: Edge) -> Iterator[Edge]:
    """An edge as seen from each endpoint: the large-star step needs all neighbours."""
    child, parent = edge
    yield child, parent
    yield parent, child


def large_star(node: str, neighbours: Iterable[str]) -> StarStep:
    """Each neighbour larger than `node` -> (neighbour, smallest of node and its neighbours).

    Every edge is rewritten at its smaller endpoint only, so an edge leaves as at
    most one edge; it is a change unless `node` is already the local minimum.
    """
    distinct = set(neighbours)
    distinct.discard(node)
    smallest = min(min(distinct, default=node), node)
    larger = [other for other in distinct if other > node]
    return StarStep([(other, smallest) for other in larger], len(larger) if smallest < node else 0)


def small_star(node: str, smaller: Iterable[str]) -> StarStep:
    """`node` and its smaller neighbours -> each linked to the smallest of them.

    Unchanged only when `node` has a single parent: every further parent is an
    edge moved to the smallest one.
    """
    parents = set(smaller)
    parents.discard(node)
    if not parents:
        return StarStep([], 0)
    smallest = min(parents)
    if smallest > node:
        raise ValueError(f"small_star expects neighbours smaller than {node!r}")
    linked = [other for other in parents if other != smallest]
    edges = [(node, smallest)] + [(other, smallest) for other in linked]
    return StarStep(edges, len(linked))


def settled_root(node: str, neighbours: Iterable[str]) -> str | None:
    """The component root of `node` when the graph around it is a finished star, else None.

    Finished: a centre has only larger neighbours (it is its own root); a leaf has
    one distinct neighbour, smaller than itself. If every node passes, every
    component is one star centred on its smallest node. One pass, nothing held, so
    a centre with millions of leaves costs no memory.
    """
    first: str | None = None
    all_larger, one_neighbour = True, True
    for other in neighbours:
        if other == node:
            continue
        if first is None:
            first = other
        elif other != first:
            one_neighbour = False
        if other < node:
            all_larger = False
    if first is None or all_larger:
        return node
    return first if one_neighbour else None


def round_counter(round_number: int) -> str:
    """Counter of edges rewritten in round `round_number` (1-based), zero-padded to sort."""
    return f"{ROUND_CHANGES_PREFIX}{round_number:03d}"


def rounds_that_changed(counters: Mapping[str, int], namespace: str = "dedup") -> int:
    """Rounds that rewrote at least one edge, from `namespace/name -> value` counters."""
    prefix = f"{namespace}/{ROUND_CHANGES_PREFIX}"
    return sum(1 for name, value in counters.items() if name.startswith(prefix) and value > 0)


def components_by_stars(edges: Iterable[Edge], max_rounds: int) -> tuple[dict[str, str], int]:
    """The whole algorithm in one process: (node -> root, rounds that changed something).

    The Beam wiring runs the same steps as shuffles; this is its executable
    specification for tests and for measuring how many rounds a graph needs.
    Raises `ComponentsNotSettled` when `max_rounds` is not enough.
    """
    current = [(max(a, b), min(a, b)) for a, b in edges if a != b]
    rounds_with_changes = 0
    for _ in range(max_rounds):
        changes = 0
        grouped = _group(edge for pair in current for edge in both_directions(pair))
        large: list[Edge] = []
        for node, neighbours in grouped.items():
            step = large_star(node, neighbours)
            large.extend(step.edges)
            changes += step.changes
        small: list[Edge] = []
        for node, parents in _group(large).items():
            step = small_star(node, parents)
            small.extend(step.edges)
            changes += step.changes
        current = small
        if not changes:
            break
        rounds_with_changes += 1
    roots: dict[str, str] = {}
    for node, neighbours in _group(
        edge for pair in current for edge in both_directions(pair)
    ).items():
        root = settled_root(node, neighbours)
        if root is None:
            raise not_settled(max_rounds)
        roots[node] = root
    return roots, rounds_with_changes


def _group(edges: Iterable[Edge]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in edges:
        grouped.setdefault(key, []).append(value)
    return grouped


NOT_SETTLED = "duplicate clusters did not settle"


class ComponentsNotSettled(RuntimeError):
    """The round budget ran out before every component became a star: clusters would be wrong.

    Built by `not_settled`; keeps Exception's one-message signature because Beam
    re-raises a worker's error as `type(error)(augmented message)`.
    """


def not_settled(max_rounds: int) -> ComponentsNotSettled:
    return ComponentsNotSettled(
        f"{NOT_SETTLED} within dedup.max_component_rounds={max_rounds} rounds of connected "
        "components; raise `max_component_rounds` in the `dedup:` block of the run config "
        "(each round costs two shuffles of the duplicate edges) and re-run"
    )


def not_settled_message(error: BaseException) -> str | None:
    """The not-settled message inside a runner's error, however the runner wrapped it.

    Multi-process and remote runners hand a worker's failure back as text (a
    traceback inside a RuntimeError), so the type alone cannot be relied on.
    """
    text = str(error)
    start = text.find(NOT_SETTLED)
    if start < 0:
        return None
    end = text.find(" and re-run", start)
    return text[start : end + len(" and re-run")] if end >= 0 else text[start:]

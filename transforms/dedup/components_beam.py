"""Beam wiring of `transforms/dedup/components.py`: connected components as shuffles by node.

    edges --per-bundle spanning forest--> (child, parent)
    round r = 1 .. max_component_rounds (unrolled: a Beam graph cannot loop):
        --both directions--> GroupByKey(node)  --large star--> (child, parent)
                             GroupByKey(child) --small star--> (child, parent)
    --both directions--> GroupByKey(node) --settled root--> (doc_id, root), or the run fails

Every GroupByKey is keyed by a doc id, so the work spreads over workers by node;
the most one worker holds is one node's neighbour list, and the largest is a big
cluster's root once its component has become a star (one doc id per member, the
same order as that cluster's member list in the keep choice). Elements are plain
`(str, str)` tuples: each round shuffles every remaining edge twice.

Counters (namespace "dedup"): edges rewritten per round (`component_changes.round_NNN`,
absent for a round that rewrote nothing), the same for the last round
(`component_changes.last_round`), and documents given a root (`component_documents`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindows

from transforms.dedup.components import (
    LAST_ROUND_CHANGES,
    LINKED_DOCUMENTS,
    Edge,
    StarStep,
    both_directions,
    large_star,
    not_settled,
    round_counter,
    settled_root,
    small_star,
)
from transforms.dedup.core import UnionFind

NAMESPACE = "dedup"


class _SpanningForestPerBundle(beam.DoFn):
    """Replace a bundle's edges by a spanning forest of them (same components, fewer edges).

    Keeps every round fed with O(documents) edges, not O(edges): a doc found in
    all 16 bands and in its exact group sends one edge. The forest is already a
    star per bundle-local component, centred on its smallest doc id, so graphs
    that fit in a bundle arrive settled.
    """

    def start_bundle(self) -> None:
        self._forest = UnionFind()

    def process(self, edge: Edge) -> Iterator[Edge]:
        # Nothing per edge: the forest is emitted whole in finish_bundle.
        self._forest.union(*edge)
        return iter(())

    def finish_bundle(self) -> Iterator:
        for node, root in self._forest.roots():
            if node != root:
                yield GlobalWindows.windowed_value((node, root))
        self._forest = UnionFind()


class _Star(beam.DoFn):
    """One large-star or small-star step of one round, counting the edges it rewrote."""

    def __init__(self, large: bool, round_number: int, last: bool) -> None:
        self._large = large
        self._changes = Metrics.counter(NAMESPACE, round_counter(round_number))
        self._last = Metrics.counter(NAMESPACE, LAST_ROUND_CHANGES) if last else None

    def process(self, item: tuple[str, Iterable[str]]) -> Iterator[Edge]:
        node, neighbours = item
        step: StarStep = (
            large_star(node, neighbours) if self._large else small_star(node, neighbours)
        )
        if step.changes:
            self._changes.inc(step.changes)
            if self._last is not None:
                self._last.inc(step.changes)
        yield from step.edges


class _StarRound(beam.PTransform):
    def __init__(self, round_number: int, last: bool) -> None:
        super().__init__()
        self._round, self._last = round_number, last

    def expand(self, edges: beam.PCollection) -> beam.PCollection:
        return (
            edges
            | "BothDirections" >> beam.FlatMap(both_directions)
            | "GroupByNode" >> beam.GroupByKey()
            | "LargeStar" >> beam.ParDo(_Star(True, self._round, self._last))
            | "GroupByChild" >> beam.GroupByKey()
            | "SmallStar" >> beam.ParDo(_Star(False, self._round, self._last))
        )


class _SettledRoot(beam.DoFn):
    """(node, neighbours) after the last round -> (node, root); fails the run if not settled.

    Failing is the only safe answer: an unsettled component would be split into
    several clusters, keeping more than one copy of the same text.
    """

    def __init__(self, max_rounds: int) -> None:
        self._max_rounds = max_rounds
        self._documents = Metrics.counter(NAMESPACE, LINKED_DOCUMENTS)

    def process(self, item: tuple[str, Iterable[str]]) -> Iterator[tuple[str, str]]:
        node, neighbours = item
        root = settled_root(node, neighbours)
        if root is None:
            raise not_settled(self._max_rounds)
        self._documents.inc()
        yield node, root


class StarComponents(beam.PTransform):
    """PCollection[(doc_id, doc_id)] edges between distinct docs -> (doc_id, component root).

    The root is the smallest doc_id of the component; one output per document
    that appears in an edge (the root maps to itself), exactly what
    `core.connected_components` returns for the same edges. Raises
    `ComponentsNotSettled` (failing the pipeline) when `max_rounds` is not enough.
    """

    def __init__(self, max_rounds: int) -> None:
        super().__init__()
        if max_rounds < 1:
            raise ValueError(f"max_rounds must be at least 1, got {max_rounds}")
        self._max_rounds = max_rounds

    def expand(self, edges: beam.PCollection) -> beam.PCollection:
        current = edges
        for number in range(1, self._max_rounds + 1):
            last = number == self._max_rounds
            current = current | f"Round{number:03d}" >> _StarRound(number, last)
        return (
            current
            | "SettleBothDirections" >> beam.FlatMap(both_directions)
            | "SettleGroupByNode" >> beam.GroupByKey()
            | "SettledRoot" >> beam.ParDo(_SettledRoot(self._max_rounds))
        )


class ConnectedComponents(beam.PTransform):
    """`StarComponents` after a per-bundle spanning forest: same output, a fraction of the edges."""

    def __init__(self, max_rounds: int) -> None:
        super().__init__()
        self._rounds = StarComponents(max_rounds)

    def expand(self, edges: beam.PCollection) -> beam.PCollection:
        return (
            edges
            | "ForestPerBundle" >> beam.ParDo(_SpanningForestPerBundle())
            | "Rounds" >> self._rounds
        )

"""Specifications of the large-star/small-star connected components core (no Beam)."""

from __future__ import annotations

import random
from collections import deque

import pytest

from schemas.dedup import DedupSettings
from transforms.dedup.components import (
    LAST_ROUND_CHANGES,
    ComponentsNotSettled,
    both_directions,
    components_by_stars,
    large_star,
    not_settled,
    not_settled_message,
    round_counter,
    rounds_that_changed,
    settled_root,
    small_star,
)


def reference_roots(edges: list[tuple[str, str]]) -> dict[str, str]:
    """Breadth-first search, written here: node -> smallest node of its component."""
    adjacency: dict[str, set[str]] = {}
    for a, b in edges:
        adjacency.setdefault(a, set()).add(b)
        adjacency.setdefault(b, set()).add(a)
    roots: dict[str, str] = {}
    for start in adjacency:
        if start in roots:
            continue
        seen, queue = {start}, deque([start])
        while queue:
            for other in adjacency[queue.popleft()] - seen:
                seen.add(other)
                queue.append(other)
        smallest = min(seen)
        roots.update(dict.fromkeys(seen, smallest))
    return roots


def random_ids(count: int, rng: random.Random) -> list[str]:
    return [f"{rng.getrandbits(128):032x}" for _ in range(count)]


def chain(ids: list[str]) -> list[tuple[str, str]]:
    return list(zip(ids, ids[1:], strict=False))


def test_large_star_links_larger_neighbours_to_the_local_minimum():
    step = large_star("m", ["c", "x", "z", "a"])
    assert sorted(step.edges) == [("x", "a"), ("z", "a")]
    assert step.changes == 2


def test_large_star_at_a_local_minimum_changes_nothing():
    step = large_star("b", ["x", "c", "x"])
    assert sorted(step.edges) == [("c", "b"), ("x", "b")]
    assert step.changes == 0


def test_large_star_of_a_node_with_only_smaller_neighbours_emits_nothing():
    assert large_star("z", ["a", "b"]).edges == []


def test_small_star_links_a_node_and_its_parents_to_the_smallest_parent():
    step = small_star("z", ["c", "a", "m", "a"])
    assert sorted(step.edges) == [("c", "a"), ("m", "a"), ("z", "a")]
    assert step.changes == 2


def test_small_star_with_one_parent_changes_nothing():
    step = small_star("z", ["a", "a"])
    assert step.edges == [("z", "a")]
    assert step.changes == 0


def test_small_star_refuses_a_larger_neighbour():
    with pytest.raises(ValueError, match="smaller"):
        small_star("b", ["c"])


def test_both_directions_gives_each_endpoint_the_other():
    assert list(both_directions(("z", "a"))) == [("z", "a"), ("a", "z")]


def test_settled_centre_and_leaf_name_the_centre():
    assert settled_root("a", ["x", "y", "x"]) == "a"
    assert settled_root("x", ["a", "a"]) == "a"


@pytest.mark.parametrize(
    "node, neighbours",
    [("x", ["a", "b"]), ("m", ["a", "z"])],
    ids=["leaf with two parents", "leaf that is also a centre"],
)
def test_unfinished_star_has_no_settled_root(node, neighbours):
    assert settled_root(node, neighbours) is None


@pytest.mark.parametrize("seed", range(6))
def test_rounds_find_the_same_components_as_a_graph_search(seed):
    rng = random.Random(seed)
    edges: list[tuple[str, str]] = []
    for length in (2, 3, 40, 300):
        edges += chain(random_ids(length, rng))
    hub, *spokes = random_ids(50, rng)
    edges += [(hub, spoke) for spoke in spokes]
    cycle = random_ids(30, rng)
    edges += chain(cycle) + [(cycle[-1], cycle[0])]
    dense = random_ids(20, rng)
    edges += [(rng.choice(dense), rng.choice(dense)) for _ in range(80)]
    rng.shuffle(edges)
    roots, _ = components_by_stars(edges, DedupSettings().max_component_rounds)
    assert roots == reference_roots([(a, b) for a, b in edges if a != b])


def test_a_star_settles_in_one_round_and_a_settled_forest_in_none():
    rng = random.Random(1)
    hub, *spokes = random_ids(200, rng)
    assert components_by_stars([(spoke, hub) for spoke in spokes], 5)[1] == 1
    smallest = min(hub, *spokes)
    settled = [(node, smallest) for node in (hub, *spokes) if node != smallest]
    assert components_by_stars(settled, 5)[1] == 0


def test_a_long_random_chain_needs_several_rounds_within_the_default_budget():
    ids = random_ids(10_000, random.Random(2))
    roots, rounds = components_by_stars(chain(ids), DedupSettings().max_component_rounds)
    assert set(roots.values()) == {min(ids)}
    assert 2 < rounds <= DedupSettings().max_component_rounds - 4


def test_too_small_a_round_budget_raises_naming_the_setting():
    ids = random_ids(2_000, random.Random(3))
    with pytest.raises(ComponentsNotSettled, match="dedup.max_component_rounds=2"):
        components_by_stars(chain(ids), 2)


def test_rounds_that_changed_counts_rounds_with_rewrites_only():
    counters = {
        f"dedup/{round_counter(1)}": 40,
        f"dedup/{round_counter(2)}": 3,
        f"dedup/{round_counter(3)}": 0,
        f"dedup/{LAST_ROUND_CHANGES}": 0,
        f"other/{round_counter(4)}": 9,
    }
    assert rounds_that_changed(counters) == 2


def test_round_counters_sort_in_round_order():
    names = [round_counter(number) for number in (1, 2, 10, 100)]
    assert names == sorted(names)


def test_not_settled_message_is_found_inside_a_runner_traceback():
    wrapped = RuntimeError(f"Traceback (most recent call last):\n  ...\n{not_settled(3)} [while]")
    assert not_settled_message(wrapped) == str(not_settled(3))
    assert not_settled_message(RuntimeError("disk full")) is None

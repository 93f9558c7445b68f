"""When the cycle collector runs during a check."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from verifier import collector


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()


def test_paused_stops_collection_inside_and_restores_it_after() -> None:
    gc.enable()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_paused_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    with collector.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_paused_restores_collection_when_the_phase_fails() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("phase failed")
    assert gc.isenabled()


def test_new_objects_only_sets_aside_what_lives_on_entry_and_collects_new_cycles() -> None:
    gc.enable()
    before = gc.get_freeze_count()
    with collector.new_objects_only():
        assert gc.get_freeze_count() > before
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
    assert gc.get_freeze_count() == 0


def test_new_objects_only_does_not_set_aside_garbage_made_before() -> None:
    gc.enable()

    class Node:
        pass

    node = Node()
    node.self = node  # type: ignore[attr-defined]
    gone = weakref.ref(node)
    del node
    with collector.new_objects_only():
        assert gone() is None

"""A long-lived process's garbage collector: the started process frozen out of its walks."""

import gc

from medins_common.service import YOUNG_COLLECTION_THRESHOLD, collector_for_a_long_lived_process


def test_a_started_process_is_frozen_and_young_collections_run_less_often():
    before = gc.get_threshold()

    with collector_for_a_long_lived_process():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, *before[1:])

    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_cycles_made_while_running_are_still_collected():
    class Node:
        pass

    with collector_for_a_long_lived_process():
        node = Node()
        node.self = node  # a cycle that only the collector frees
        del node
        assert gc.collect() > 0

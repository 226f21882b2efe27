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


def test_two_parts_of_one_process_leave_the_collector_as_it_was():
    before = gc.get_threshold()
    first, second = collector_for_a_long_lived_process(), collector_for_a_long_lived_process()

    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the parts need not end in the order they started
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD
    assert gc.get_freeze_count() > 0
    second.__exit__(None, None, None)

    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0

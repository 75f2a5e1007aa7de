"""Reading ahead: the next chunk of a long job is read on a second thread (with its own database connection) while the
caller writes this one, so the database's half and Python's half of the job overlap. Used by the arrears review (the
next chunk's facts) and the rent run (the next range's charges and what they make due). Also here: pausing Python's
cycle collector for the length of such a job (`collector_paused`)."""

import gc
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection, connections

Item = TypeVar("Item")
Read = TypeVar("Read")


def read_ahead(items: Iterable[Item], read: Callable[[Item], Read], *, name: str) -> Iterator[tuple[Item, Read]]:
    """(item, read(item)) for each item, in order. On PostgreSQL, outside a caller's transaction, `read` for the next
    item runs on a second thread while the caller works on this one. Inside a transaction (a test, or a caller that
    wants all or nothing) the second connection could not see the caller's uncommitted rows, so each is read in turn.
    `read` must only read: what the caller writes for one item must not change what `read` finds for the next."""
    items = list(items)
    if connection.vendor != "postgresql" or connection.in_atomic_block or len(items) < 2:
        for item in items:
            yield item, read(item)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=name) as reader:
        try:
            ahead = reader.submit(read, items[0])
            for index, item in enumerate(items):
                result = ahead.result()
                if index + 1 < len(items):
                    ahead = reader.submit(read, items[index + 1])
                yield item, result
        finally:
            reader.submit(connections.close_all).result()  # the reader thread's own connection


def write_alongside(items: Iterable[Item], write: Callable[[Item], Read], *, writers: int, name: str) -> list[Read]:
    """write(item) for each item, on up to `writers` threads at once, each write in its own connection (opened for it
    and closed after it), taking items as `items` yields them; the results in the items' order. Each write must be its
    own transaction and must not touch the rows another item's write touches (no two lock the same row). Inside a
    caller's transaction, or not on PostgreSQL, each is written in turn on the caller's connection."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or writers < 2:
        return [write(item) for item in items]

    def written(item):
        try:
            return write(item)
        finally:
            connection.close()  # this thread's connection

    with ThreadPoolExecutor(max_workers=writers, thread_name_prefix=name) as pool:
        pending, results = [], []
        for item in items:
            pending.append(pool.submit(written, item))
            if len(pending) >= writers:  # hold at most `writers` items in memory
                results.append(pending.pop(0).result())
        results += [future.result() for future in pending]
    return results


@contextmanager
def collector_paused():
    """Python's cycle collector paused for a bulk job that makes hundreds of thousands of short-lived objects and no
    reference cycles (an onboarding load, the arrears review's chunks): each batch of new objects would set it off to
    walk every object alive again, which more than doubled an onboarding load's planning and cost the review a tenth of
    its time. The objects are freed as they go out of use; collection resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

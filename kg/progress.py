"""Steps that may take a while: progress on stderr (silent when they are quick, a line when they are not), and
the garbage collector paused while they make many long-lived objects.

>>> with step("loading a tiny dataset"):
...     pass
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

AFTER_SECONDS = 2.0
"""A step that takes longer than this says so on stderr, and says when it is done."""


@contextmanager
def step(message: str, after: float = AFTER_SECONDS) -> Iterator[None]:
    """Print ``kg: MESSAGE ...`` to stderr if the block runs longer than ``after`` seconds, then its duration."""
    began = time.monotonic()
    shown = threading.Event()

    def announce() -> None:
        shown.set()
        print(f"kg: {message} ...", file=sys.stderr, flush=True)

    timer = threading.Timer(after, announce)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()  # no thread left behind: a fork after the step is safe (kg.workers.fork_is_safe)
        if shown.is_set():
            print(f"kg: {message}: done in {time.monotonic() - began:.1f} s", file=sys.stderr, flush=True)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused (reference counting still frees memory) while a step makes many
    objects that all live on (a dataset being built, a network, the rows of a large answer): each full
    collection would only walk them again, and everything made before them. It halves ``kg build`` at
    100x the seed's statements (benchmarks/bench_build.py) and takes a sixth off :func:`kg.network.network`
    at 100k quads (benchmarks/bench_viz.py).

    >>> with collector_paused():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

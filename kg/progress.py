"""Progress on stderr for steps that may take a while: silent when they are quick, a line when they are not.

>>> with step("loading a tiny dataset"):
...     pass
"""

from __future__ import annotations

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
        if shown.is_set():
            print(f"kg: {message}: done in {time.monotonic() - began:.1f} s", file=sys.stderr, flush=True)

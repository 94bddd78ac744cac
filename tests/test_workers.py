"""kg.workers.Forked: a function run in a forked process while the caller goes on (kg build runs SHACL so)."""

from __future__ import annotations

import os
import threading

import pytest

from kg.errors import KgError
from kg.workers import Forked, fork_is_safe


def _fail(message: str) -> None:
    raise KgError(message)


def test_the_value_comes_from_a_forked_child() -> None:
    assert fork_is_safe()
    with Forked(os.getpid) as job:
        assert job.process is not None
        assert job.result() != os.getpid()


def test_what_failed_in_the_child_is_raised_in_the_parent() -> None:
    with Forked(_fail, "the shapes graph is missing") as job, pytest.raises(KgError, match="the shapes graph is missing"):
        job.result()


def test_a_child_killed_under_the_call_is_a_clear_error() -> None:
    with Forked(lambda: os.kill(os.getpid(), 9)) as job, pytest.raises(KgError, match="stopped unexpectedly [(]exit code -9[)]"):
        job.result()


def test_no_fork_while_another_thread_runs() -> None:
    """A thread holding a lock at the moment of a fork could block the child: the function runs here instead."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with Forked(os.getpid) as job:
            assert job.process is None
            assert job.result() == os.getpid()
    finally:
        stop.set()
        other.join()

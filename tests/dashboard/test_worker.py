"""Heavy work in a child process with a time limit: a slow, crashing or failing job never hangs or
kills the app's server process."""

from __future__ import annotations

import os
import time

import pytest

from dashboard import worker


def test_the_answer_comes_back():
    assert worker.run_limited(sorted, [3, 1, 2]) == [1, 2, 3]


def test_a_job_over_its_time_limit_is_stopped():
    started = time.monotonic()
    with pytest.raises(worker.TimedOut) as caught:
        worker.run_limited(time.sleep, 30, deadline=worker.Deadline(1.0))
    assert time.monotonic() - started < 10
    assert caught.value.seconds == 1.0


def test_a_native_abort_ends_the_child_not_the_caller():
    with pytest.raises(worker.WorkerDied) as caught:
        worker.run_limited(os.abort)
    assert caught.value.exitcode == -6  # SIGABRT, as fastexcel's allocation failure was


def test_a_bug_in_the_child_comes_back_as_its_traceback():
    with pytest.raises(worker.WorkerError) as caught:
        worker.run_limited(int, "not a number")
    assert "ValueError: invalid literal for int()" in str(caught.value)


def test_the_time_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("KPI_APP_TIME_LIMIT", "42")
    assert worker.Deadline().seconds == 42.0
    monkeypatch.setenv("KPI_APP_TIME_LIMIT", "abc")
    assert worker.Deadline().seconds == worker.DEFAULT_LIMIT

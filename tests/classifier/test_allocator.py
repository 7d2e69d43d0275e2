"""PeriodicTrim: every N-th wrapped call hands free heap memory back, from any thread, errors included."""

import threading

import pytest

from classifier import allocator


@pytest.fixture
def releases(monkeypatch):
    calls: list[str] = []

    def release() -> bool:
        calls.append(threading.current_thread().name)
        return True

    monkeypatch.setattr(allocator, "release_free_memory", release)
    return calls


def test_every_nth_call_releases_memory_and_results_pass_through(releases):
    trim = allocator.PeriodicTrim(every=3)
    double = trim.wrap(lambda x: 2 * x)
    assert [double(i) for i in range(7)] == [0, 2, 4, 6, 8, 10, 12]
    assert len(releases) == 2 and trim.trims == 2


def test_a_failing_call_still_counts_and_its_error_is_raised(releases):
    trim = allocator.PeriodicTrim(every=1)

    def broken():
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        trim.wrap(broken)()
    assert trim.trims == 1


def test_calls_from_several_threads_are_all_counted(releases):
    trim = allocator.PeriodicTrim(every=10)
    work = trim.wrap(lambda: None)
    threads = [threading.Thread(target=lambda: [work() for _ in range(250)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert trim.trims == 100


def test_zero_turns_it_off_and_negative_is_refused(releases):
    def fn():
        return 1

    assert allocator.PeriodicTrim(every=0).wrap(fn) is fn
    with pytest.raises(ValueError, match=">= 0"):
        allocator.PeriodicTrim(every=-1)


def test_release_on_this_machine_and_without_glibc(monkeypatch):
    # The test machine and CI run glibc Linux: the real malloc_trim is called.
    assert allocator.release_free_memory() is True
    monkeypatch.setattr(allocator, "_malloc_trim", lambda: None)
    assert allocator.release_free_memory() is False


def test_an_idle_trim_runs_only_when_calls_ran_since_the_last_trim(releases):
    trim = allocator.PeriodicTrim(every=100)
    work = trim.wrap(lambda: None)
    assert trim.release_pending() is False  # nothing ran yet
    for _ in range(3):
        work()
    assert trim.trims == 0
    assert trim.release_pending() is True and trim.trims == 1
    assert trim.release_pending() is False and trim.trims == 1
    for _ in range(100):  # the count restarted at the idle trim: 100 more calls for the next
        work()
    assert trim.trims == 2

"""The file lock and the record cache with real processes contending on one shared folder."""

from __future__ import annotations

import errno
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lab.cache import RecordCache
from lab.errors import EnvironmentUnavailable
from lab.locking import file_lock
from lab.record import Record

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4

# Each worker waits for the start file, then increments the counter ROUNDS times, reading and
# rewriting it inside the lock and logging when it enters and leaves the locked block.
COUNTER = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from lab.locking import file_lock
    folder, rounds = Path(sys.argv[1]), int(sys.argv[2])
    while not (folder / "start").exists():
        os.sched_yield()
    for _ in range(rounds):
        with file_lock(folder / "counter.lock"):
            with open(folder / "events", "a") as log:
                log.write(f"in {os.getpid()}\\n")
            value = int((folder / "counter").read_text())
            os.sched_yield()  # let another process run between the read and the write
            (folder / "counter").write_text(str(value + 1))
            with open(folder / "events", "a") as log:
                log.write(f"out {os.getpid()}\\n")
""")


def _start(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_processes_contending_for_the_lock_enter_one_at_a_time_and_lose_no_update(tmp_path: Path) -> None:
    (tmp_path / "counter").write_text("0")
    rounds = 50
    workers = [_start(COUNTER, str(tmp_path), str(rounds)) for _ in range(WORKERS)]
    (tmp_path / "start").touch()
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    events = (tmp_path / "events").read_text().split("\n")[:-1]
    # Every "in" is followed by the "out" of the same process: no two were inside at once.
    pairs = list(zip(events[::2], events[1::2]))
    assert all(a.split()[0] == "in" and b == f"out {a.split()[1]}" for a, b in pairs) and len(events) % 2 == 0
    assert (tmp_path / "counter").read_text() == str(WORKERS * rounds)


HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from lab.locking import file_lock
    with file_lock(Path(sys.argv[1])):
        print("held", flush=True)
        sys.stdin.readline()  # released when the test writes a line
""")
WAITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from lab.locking import file_lock
    with file_lock(Path(sys.argv[1]), lambda: print("waiting", flush=True)):
        print("entered", flush=True)
""")


def test_a_process_finding_the_lock_held_says_so_once_and_enters_when_it_is_released(tmp_path: Path) -> None:
    lock = tmp_path / "shared" / "venv.lock"
    holder = _start(HOLDER, str(lock))
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    waiter = _start(WAITER, str(lock))
    assert waiter.stdout is not None and waiter.stdout.readline() == "waiting\n"
    holder.communicate("release\n", timeout=60)
    rest, err = waiter.communicate(timeout=60)
    assert (waiter.returncode, rest) == (0, "entered\n"), err


# Writers rewrite the same keys with records of ~1 MB while readers read them: a reader must
# always get a whole record, never a miss, since each key was written before they started.
WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from lab.cache import RecordCache
    from lab.record import Record
    cache, name, keys = RecordCache(Path(sys.argv[1])), sys.argv[2], int(sys.argv[3])
    for round in range(5):
        for k in range(keys):
            cache.put(f"{k:064x}", Record("s", "graph", name, 1, "ok", {"x": [round] * 100000}).to_dict())
""")
READER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from lab.cache import RecordCache
    from lab.record import Record
    cache, keys = RecordCache(Path(sys.argv[1])), int(sys.argv[2])
    misses = 0
    for _ in range(5):
        for k in range(keys):
            record = cache.get(f"{k:064x}", lambda data: Record.from_dict(data))
            if record is None or len(record.observations["x"]) != 100000:
                misses += 1
    print(misses)
""")


def test_records_rewritten_by_concurrent_processes_are_always_read_whole(tmp_path: Path) -> None:
    keys = 8
    cache = RecordCache(tmp_path / "records")
    for k in range(keys):
        cache.put(f"{k:064x}", Record("s", "graph", "first", 1, "ok", {"x": [0] * 100000}).to_dict())
    writers = [_start(WRITER, str(tmp_path / "records"), f"w{i}", str(keys)) for i in range(2)]
    readers = [_start(READER, str(tmp_path / "records"), str(keys)) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in writers + readers]
    assert [p.returncode for p in writers + readers] == [0] * 4, [err for _, err in outputs]
    assert [out.strip() for out, _ in outputs[2:]] == ["0", "0"]
    last = [cache.get(f"{k:064x}", Record.from_dict) for k in range(keys)]
    assert {r.env for r in last if r is not None} <= {"w0", "w1"} and None not in last


def test_a_filesystem_without_locks_is_one_line_naming_the_folder_and_what_to_do(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fcntl

    def no_locks(handle: object, flags: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with pytest.raises(EnvironmentUnavailable) as caught, file_lock(tmp_path / "venvs" / "x.lock"):
        pass
    assert str(caught.value) == (
        f"cannot lock {tmp_path / 'venvs' / 'x.lock'} (No locks available): its filesystem offers no file locks, "
        "which lab needs to make venvs and images one process at a time; set LAB_CACHE_DIR to a folder on a "
        "local disk")

"""A host-wide lock on a file, so two lab processes never make the same thing at once."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from lab.errors import EnvironmentUnavailable


@contextmanager
def file_lock(path: Path, on_wait: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing); `on_wait` runs once if we must wait.

    fcntl.flock: on a local disk it holds among the host's processes; on NFS, Linux emulates it
    with a POSIX lock on the whole file, which the server holds among hosts too (not on a mount
    made with `nolock`: there it holds on one host only). Kept rather than `filelock`: its Unix lock
    is this same flock, and here a filesystem without locks is one line naming LAB_CACHE_DIR, where
    filelock falls back to a soft lock file (with a warning) when flock is not implemented."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, at worst a duplicate build
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                on_wait()
                fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError as exc:  # ENOLCK, EOPNOTSUPP: a filesystem (or an NFS mount) without locks
            raise EnvironmentUnavailable(
                f"cannot lock {path} ({exc.strerror or exc}): its filesystem offers no file locks, which lab needs to "
                "make venvs and images one process at a time; set LAB_CACHE_DIR to a folder on a local disk") from None
        yield  # closing the file releases the lock

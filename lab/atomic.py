"""Outputs written whole or not at all, and the places they go checked before any work.

`probe` writes (and removes) a file where a command will write, before it runs anything: a
place that cannot be written is one line and exit 2 at once, not a traceback after the run.
`write_text` writes beside the target under a temporary name and renames it over the target: a
disk that fills, or any other write error, leaves the previous file or none, never a truncated
or empty one, and is one line and exit 3 (`OutputError`).
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import List

from lab.errors import ExitCode, LabError, UsageError


class OutputError(LabError):
    """A results file could not be written (a full disk, a folder made read-only meanwhile)."""

    exit_code = ExitCode.ENVIRONMENT


def _missing_folders(folder: Path) -> List[Path]:
    """`folder` and the parents of it that do not exist, deepest first."""
    return [p for p in [folder, *folder.parents] if not p.exists()]


def probe(path: Path, option: str, folder: bool = False, example: str = "out") -> None:
    """Raise a one-line UsageError (exit 2) unless `path` can be written: the file `path`, or files
    in the folder `path` (`folder`). Checked by writing a byte where it would go (permission bits
    do not tell: root may not write in /proc, a read-only mount, a full disk; `example` is the file
    name the message suggests inside a folder given for a file); folders made for
    the check are removed again, so a command that stops early leaves nothing."""
    if not folder and path.is_dir():
        raise UsageError(f"{option} {path} is a folder: name the file to write, e.g. {path / example}")
    where = path if folder else path.parent
    existing = next((p for p in [where, *where.parents] if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise UsageError(f"{option} {path} cannot be written ({os.strerror(errno.ENOTDIR)}: {existing}); "
                         f"choose another {option}")
    made = _missing_folders(where)
    try:
        where.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=where, prefix=".lab-probe-")
        try:
            os.write(handle, b"\n")
            os.fsync(handle)
        finally:
            os.close(handle)
            os.unlink(name)
    except OSError as exc:
        raise UsageError(f"{option} {path} cannot be written ({exc.strerror or exc}); choose another {option}") \
            from None
    finally:
        for made_folder in made:
            try:
                made_folder.rmdir()
            except OSError:
                break


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: put it back at once
    os.umask(mask)
    return mask


UMASK = _umask()
"""Read once, at import (the main thread, before any worker): later threads never see it changed."""


def write_bytes(path: Path, data: bytes) -> None:
    """`data` at `path` whole, or the previous file left as it was (OutputError, exit 3)."""
    handle, name = -1, ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.fchmod(handle, 0o666 & ~UMASK)  # mkstemp's 0600 would outlive the rename: the mode open() gives
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
        # No fsync: a full disk fails the write (or the close) here already, and a rename is
        # all the readers (check, merge, a parallel run) need to never see half a file.
        os.close(handle)
        handle = -1
        os.replace(name, path)
        name = ""
    except OSError as exc:
        raise OutputError(f"could not write {path} ({exc.strerror or exc}): the files written before it are "
                          "kept; free some space (or fix the folder) and run again") from None
    finally:
        if handle >= 0:
            os.close(handle)
        if name:
            try:
                os.unlink(name)
            except OSError:
                pass


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def copy(source: Path, target: Path) -> None:
    """`source`'s bytes at `target`, whole or not at all."""
    with open(source, "rb") as handle:
        write_bytes(target, handle.read())

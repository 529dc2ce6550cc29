"""The process controls the guest relies on, on this Linux: each checked in a real child process."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

import pytest

from lab.guest import system


def in_child(body: Callable[[], str]) -> str:
    """What `body` returns, run in a forked child (its text through a pipe)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            os.write(write_fd, body().encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as handle:
        text = handle.read().decode()
    os.waitpid(pid, 0)
    return text


def status_field(name: str) -> str:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return line.split()[1]
    return ""


def test_a_child_without_privileges_has_no_capability_and_cannot_gain_one() -> None:
    assert in_child(lambda: f"{system.drop_privileges()} {status_field('CapEff')} {status_field('NoNewPrivs')}") \
        == "True 0000000000000000 1"


def opens_parents_descriptor(parent_hides: bool, child_drops: bool) -> str:
    """In a child: whether a grandchild can open the child's /proc/PID/fd/0 ('1') or not ('0'),
    the child non-dumpable or not, the grandchild without privileges or not."""
    def body() -> str:
        inner_read, inner_write = os.pipe()
        if os.fork() == 0:
            os.close(inner_write)
            os.read(inner_read, 1)  # wait until the parent is ready
            if child_drops:
                system.drop_privileges()
            try:
                open(f"/proc/{os.getppid()}/fd/0").close()
                os._exit(1)
            except OSError:
                os._exit(0)
        os.close(inner_read)
        if parent_hides:
            system.not_dumpable()
        os.write(inner_write, b"x")
        _, status = os.wait()
        return str(os.waitstatus_to_exitcode(status))

    return in_child(body)


def test_a_child_without_privileges_cannot_open_a_non_dumpable_parents_descriptors() -> None:
    assert opens_parents_descriptor(parent_hides=True, child_drops=True) == "0"


def test_a_subreaper_adopts_the_orphans_of_its_children_and_ends_them() -> None:
    def body() -> str:
        system.become_subreaper()
        read_fd, write_fd = os.pipe()
        if os.fork() == 0:
            if os.fork() == 0:  # the orphan-to-be: in a session of its own, waiting forever
                os.setsid()
                os.write(write_fd, str(os.getpid()).encode())
                time.sleep(600)
            os._exit(0)
        os.close(write_fd)
        orphan = int(os.read(read_fd, 32))
        os.wait()  # its parent is gone: the orphan is this process's child now
        adopted = orphan in system.children()
        ended = system.end_strays()
        try:
            os.kill(orphan, 0)
            alive = True
        except ProcessLookupError:
            alive = False
        return f"{adopted} {ended} {alive}"

    assert in_child(body) == "True 1 False"


def test_a_process_told_to_die_with_its_parent_goes_when_the_parent_is_gone_already() -> None:
    def body() -> str:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            system.die_with_parent(expected_parent=1)  # not its parent: as if the parent died first
            os.write(write_fd, b"still here")
            os._exit(0)
        os.close(write_fd)
        _, status = os.waitpid(pid, 0)
        return f"{os.read(read_fd, 32)!r} {os.waitstatus_to_exitcode(status)}"

    assert in_child(body) == "b'' 137"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root without the controls reaches another process's fds")
def test_without_the_controls_a_root_child_does_open_its_parents_descriptors() -> None:
    # The check above from the other side: the controls, not the machine, keep the child out.
    assert opens_parents_descriptor(parent_hides=False, child_drops=False) == "1"

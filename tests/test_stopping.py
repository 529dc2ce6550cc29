"""lab/stopping.py: SIGTERM and SIGHUP taken as Ctrl-C, and the exit code a shell would report."""

from __future__ import annotations

import signal
import threading
from typing import Any, Dict, Iterator

import pytest

from lab import stopping
from lab.errors import ExitCode


@pytest.fixture
def installed() -> Iterator[None]:
    before = {s: signal.getsignal(s) for s in stopping.SIGNALS}
    restore = stopping.install()
    try:
        yield
    finally:
        restore()
        stopping._received.clear()
        assert {s: signal.getsignal(s) for s in stopping.SIGNALS} == before


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)])
def test_the_first_stop_signal_interrupts_and_sets_the_exit_code(installed, signum, code) -> None:
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signum)
    assert stopping.received() == signum
    assert stopping.exit_code(ExitCode.INTERRUPTED) == code
    assert stopping.interrupted(stopping.exit_code(ExitCode.INTERRUPTED)) is True


def test_a_later_signal_only_says_the_lab_is_stopping(installed, capfd) -> None:
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGTERM)
    signal.raise_signal(signal.SIGHUP)  # no second KeyboardInterrupt in the middle of saving
    assert capfd.readouterr().err == "lab: stopping; the finished records are being saved\n"
    assert stopping.received() == signal.SIGTERM


def test_other_exit_codes_pass_through_a_stop(installed) -> None:
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGTERM)
    assert stopping.exit_code(ExitCode.UNFINISHED) == 4
    assert stopping.exit_code(ExitCode.OK) == 0


def test_without_a_signal_nothing_was_received_and_130_stays(installed) -> None:
    assert stopping.received() == 0
    assert stopping.exit_code(ExitCode.INTERRUPTED) == 130


def test_install_clears_a_signal_received_before(installed) -> None:
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGTERM)
    restore = stopping.install()
    restore()
    assert stopping.received() == 0


def test_installed_handlers_are_the_labs_and_restore_puts_the_previous_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    restore = stopping.install()
    try:
        assert all(signal.getsignal(s) is stopping._handler for s in stopping.SIGNALS)
    finally:
        restore()
    assert signal.getsignal(signal.SIGTERM) is before


def test_outside_the_main_thread_install_changes_nothing() -> None:
    seen: Dict[str, Any] = {}

    def other() -> None:
        seen["restore"] = stopping.install()
        seen["handler"] = signal.getsignal(signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen["handler"] is before
    assert seen["restore"]() is None


@pytest.mark.parametrize(("code", "stopped"), [(130, True), (143, True), (129, True), (128 + 9, False), (4, False),
                                           (0, False)])
def test_interrupted_codes_are_those_of_the_three_stop_signals(code, stopped) -> None:
    assert stopping.interrupted(code) is stopped

"""The lab's one root exception, and the one table of exit codes every command uses."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """How a command exits. The README's table is checked against this one (tests/test_errors.py)."""

    OK = 0
    """Everything asked for ran; every claim was judged (whatever its verdict)."""
    ERROR = 1
    """An anticipated error with no code of its own (printed as one line)."""
    USAGE = 2
    """Bad input: an option, a file or a folder that does not exist or does not fit, a document that is none."""
    ENVIRONMENT = 3
    """An environment could not be made ready (no interpreter, no TensorFlow, no Docker, a failed build),
    or a results file could not be written mid-run (a full disk): what was written before it is kept."""
    UNFINISHED = 4
    """A job did not finish: a twin raised, a process crashed or ran out of time, a program was not run."""
    BASELINE_CHANGED = 5
    """A verdict or an observation differs from the baseline (the changes are printed)."""
    HANGUP = 129
    """SIGHUP (the terminal closed): what finished is saved."""
    INTERRUPTED = 130
    """Ctrl-C (SIGINT): what finished is saved."""
    TERMINATED = 143
    """SIGTERM (`timeout`, a CI cancel, a scheduler's preemption): what finished is saved."""


class LabError(Exception):
    """An error the lab anticipated: printed as one line, no traceback."""

    exit_code = ExitCode.ERROR


class UsageError(LabError):
    """The user asked for something that does not exist or does not fit."""

    exit_code = ExitCode.USAGE


class EnvironmentUnavailable(LabError):
    """An environment cannot run trials at all (no TensorFlow, no Docker)."""

    exit_code = ExitCode.ENVIRONMENT


class DockerUnavailable(EnvironmentUnavailable):
    """The docker SDK is missing or no Docker daemon answers: container envs cannot run."""


class ScenarioError(LabError):
    """A scenario module is malformed: the message names the module and what to fix."""

    exit_code = ExitCode.USAGE

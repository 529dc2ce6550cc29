"""The lab's one root exception and the exit codes its kinds map to."""


class LabError(Exception):
    """An error the lab anticipated: printed as one line, no traceback."""

    exit_code = 1


class UsageError(LabError):
    """The user asked for something that does not exist or does not fit."""

    exit_code = 2


class EnvironmentUnavailable(LabError):
    """An environment cannot run trials at all (no TensorFlow, no Docker)."""

    exit_code = 3


class DockerUnavailable(EnvironmentUnavailable):
    """The docker SDK is missing or no Docker daemon answers: container envs cannot run."""


class ScenarioError(LabError):
    """A scenario module is malformed: the message names the module and what to fix."""

    exit_code = 2


# Exit code when every requested trial was attempted but some errored, crashed or timed out:
# the records of the others are still reported. Not an exception, because it is an outcome.
TRIALS_FAILED_EXIT_CODE = 4

# Exit code of `lab check` (and `compare-all --check`) when the run differs from the committed
# baseline: the changes are printed; like a failed trial, an outcome rather than an exception.
BASELINE_CHANGED_EXIT_CODE = 5

"""How far a job got, whatever its kind: one enum for a twin's trial and a document's program."""

from __future__ import annotations

import enum


class Status(str, enum.Enum):
    """How far a job got."""

    OK = "ok"
    """It ran to its end (a twin finished; a program ran)."""
    ERROR = "error"
    """An exception escaped the twin or the program (a finding, not a machine fault)."""
    SYNTAX_ERROR = "syntax_error"
    """A program that Python cannot compile."""
    NOT_APPLICABLE = "not_applicable"
    """It cannot apply here: the twin uses an API this TensorFlow lacks; a variant does not exist for a block."""
    FRAGMENT = "fragment"
    """A block that uses names nothing before it defines: not run."""
    CRASHED = "crashed"
    """Its process died before it finished."""
    TIMEOUT = "timeout"
    """It ran past its time limit."""
    NOT_RUN = "not_run"
    """The environment never ran it (it could not start, a crash before it, Ctrl-C)."""
    SHELL = "shell"
    """A notebook cell of shell commands and magics only (`!pip install x`): shown, not run."""
    NOT_REACHED = "not_reached"
    """A session's cell after the one its process died in: as in a kernel that died, it never ran."""

    def __str__(self) -> str:
        return self.value


FINISHED = (Status.OK, Status.ERROR, Status.NOT_APPLICABLE, Status.SYNTAX_ERROR)
"""Jobs that ran to their end: worth caching, and a finding, not a machine fault."""
ENDED = FINISHED + (Status.CRASHED, Status.TIMEOUT)
"""Jobs that started: what a program did is its outcome, a crash or a timeout included."""
SUCCEEDED = (Status.OK, Status.NOT_APPLICABLE)
"""A trial that is no failure of the run: the twin finished, or cannot apply in this environment."""


_PROGRAM_WORDS = {Status.OK: "ran", Status.ERROR: "raised", Status.NOT_APPLICABLE: "unavailable"}
_FROM_WORDS = {word: status for status, word in _PROGRAM_WORDS.items()}


def program_word(status: Status) -> str:
    """How a document's reader says it, in reports and in verbatim.json: a block 'ran', 'raised',
    or is 'unavailable' in a variant; the other statuses are said as they are."""
    return _PROGRAM_WORDS.get(status, status.value)


def from_program_word(word: str) -> Status:
    """The status a program word names; ValueError for a word that names none."""
    return _FROM_WORDS[word] if word in _FROM_WORDS else Status(word)

"""What one program variant did in one environment, as a value the reports and claims read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from lab.jobs.program import ProgramResult
from lab.status import ENDED, Status, from_program_word, program_word
from lab.verbatim.printed import Value, compare_expected, printed_values, same_values
from lab.verbatim.programs import Program, own_output


@dataclass(frozen=True)
class Outcome:
    """One block's program, in one variant, in one environment."""

    document: str
    block: int
    variant: str
    env: str
    status: Status
    """OK (it ran), ERROR (it raised), SYNTAX_ERROR, TIMEOUT, CRASHED: what the program did. FRAGMENT:
    it uses names nothing defines, so it was not run. NOT_APPLICABLE: the variant does not exist for
    it (no `import tensorflow as tf` to shim, no tf_upgrade_v2). NOT_RUN: the environment did not
    run it (it could not start, crashed). Reports and verbatim.json say ran, raised, unavailable."""
    digest: str
    """The hash of the block's text, so a claim notices a changed document."""
    heading: str = ""
    line: int = 0
    """The block's first line in the document."""
    blocks: Tuple[int, ...] = ()
    """The blocks its program joins (the earlier ones it needs, then itself)."""
    error: Optional[Mapping[str, Any]] = None
    """type, message (first line), line (in the block, when the error is in it), block (where it is)."""
    missing: Tuple[str, ...] = ()
    """For a fragment: the names nothing before it defines."""
    why: str = ""
    """For unavailable and not_run: why."""
    stdout: str = ""
    stderr: str = ""
    stdout_bytes: int = 0
    stderr_bytes: int = 0
    values: Tuple[Tuple[str, Value], ...] = ()
    """The numbers it printed, keyed by the label before them, in order."""
    deterministic: Optional[bool] = None
    """A second run printed the same values (True), others (False); None when not run twice."""
    expected: Optional[str] = None
    """The output the document shows for the block."""
    match: str = ""
    """'matches' or 'differs' when the document shows output and the program ran; else ''."""
    match_detail: str = ""
    facts: Mapping[str, str] = field(default_factory=dict)
    """The environment's Python, TensorFlow, numpy versions, as its guest said."""
    duration_s: float = 0.0
    cached: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))

    @property
    def key(self) -> Tuple[str, int, str, str]:
        return self.document, self.block, self.variant, self.env

    @property
    def word(self) -> str:
        """The status as a document's reader says it: ran, raised, unavailable, timeout, ..."""
        return program_word(self.status)

    @property
    def ran(self) -> bool:
        return self.status is Status.OK

    @property
    def ended(self) -> bool:
        """The program started and came to an end of its own: ran, raised, a syntax error, a timeout, a crash."""
        return self.status in ENDED

    @property
    def failed(self) -> bool:
        """It did not run to its end (raised, syntax error, timeout, crashed, not run)."""
        return self.status in (Status.ERROR, Status.SYNTAX_ERROR, Status.TIMEOUT, Status.CRASHED, Status.NOT_RUN)

    def value(self, label: str) -> List[Value]:
        """Every value printed under `label`, in order."""
        return [v for k, v in self.values if k == label]

    def to_dict(self) -> Dict[str, Any]:
        data = asdict(self)
        data["status"] = self.word
        data["values"] = [list(pair) for pair in self.values]
        data["blocks"] = list(self.blocks)
        data["missing"] = list(self.missing)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outcome:
        values = tuple((str(k), v) for k, v in data.get("values", []))
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data and k not in ("values", "blocks",
                                                                                            "missing", "status")}
        return cls(**fields, status=from_program_word(str(data.get("status"))), values=values,
                   blocks=tuple(data.get("blocks", ())), missing=tuple(data.get("missing", ())))


def not_running(program: Program, variant: str, env: str, status: Status, why: str = "") -> Outcome:
    """The outcome of a program that is not run: a fragment, an unavailable variant, a failed env."""
    block = program.block
    return Outcome(program.document, block.index, variant, env, status, block.digest, block.heading,
                   block.first_line, program.blocks, missing=program.missing if status is Status.FRAGMENT else (),
                   why=why, expected=block.expected)


def from_result(program: Program, variant: str, env: str, result: ProgramResult, cached: bool = False,
                same_lines: bool = True) -> Outcome:
    """The outcome of a program's result in one environment; where the error is and what the output means."""
    block = program.block
    status = result.status
    if status is Status.NOT_RUN:
        return not_running(program, variant, env, Status.NOT_RUN, str((result.error or {}).get("message", "")))
    error = dict(result.error) if result.error else None
    if error is not None:
        where, line = program.source_of(error.get("line")) if same_lines else (None, None)
        error.update(line=line if where == block.index else None, block=where, program_line=error.get("line"))
    stdout = result.stdout["text"]
    values = tuple(printed_values(own_output(stdout)))  # what the block printed, not the blocks before it
    deterministic = None
    if result.repeat is not None:
        deterministic = result.repeat["status"] == status and same_values(
            values, printed_values(own_output(result.repeat["stdout"]["text"])))
    match, detail = "", ""
    if block.expected is not None and status is Status.OK:
        match, detail = compare_expected(block.expected, own_output(stdout))
        if match == "differs" and deterministic is False:
            detail += " (the block prints other numbers on every run: random draws)"
    return Outcome(program.document, block.index, variant, env, status, block.digest, block.heading,
                   block.first_line, program.blocks, error, (), "", stdout, result.stderr["text"],
                   result.stdout["bytes"], result.stderr["bytes"], values, deterministic, block.expected,
                   match, detail, dict(result.facts), result.duration_s, cached)

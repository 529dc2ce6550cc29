"""What one program variant did in one environment, as a value the reports and claims read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from lab.verbatim.printed import Value, compare_expected, printed_values, same_values
from lab.verbatim.programs import Program, own_output

STATUSES = ("ran", "raised", "syntax_error", "timeout", "crashed", "fragment", "unavailable", "not_run")
"""ran, raised, syntax_error, timeout, crashed: what the program did. fragment: it uses names nothing
defines, so it was not run. unavailable: the variant does not exist for it (no `import tensorflow as
tf` to shim, no tf_upgrade_v2). not_run: the environment did not run it (it could not start, crashed)."""


@dataclass(frozen=True)
class Outcome:
    """One block's program, in one variant, in one environment."""

    document: str
    block: int
    variant: str
    env: str
    status: str
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

    @property
    def key(self) -> Tuple[str, int, str, str]:
        return self.document, self.block, self.variant, self.env

    def value(self, label: str) -> List[Value]:
        """Every value printed under `label`, in order."""
        return [v for k, v in self.values if k == label]

    def to_dict(self) -> Dict[str, Any]:
        data = asdict(self)
        data["values"] = [list(pair) for pair in self.values]
        data["blocks"] = list(self.blocks)
        data["missing"] = list(self.missing)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outcome:
        values = tuple((str(k), v) for k, v in data.get("values", []))
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data and k not in ("values", "blocks",
                                                                                            "missing")}
        return cls(**fields, values=values, blocks=tuple(data.get("blocks", ())),
                   missing=tuple(data.get("missing", ())))


def not_running(program: Program, variant: str, env: str, status: str, why: str = "") -> Outcome:
    """The outcome of a program that is not run: a fragment, an unavailable variant, a failed env."""
    block = program.block
    return Outcome(program.document, block.index, variant, env, status, block.digest, block.heading,
                   block.first_line, program.blocks, missing=program.missing if status == "fragment" else (),
                   why=why, expected=block.expected)


def from_result(program: Program, variant: str, env: str, result: Mapping[str, Any], facts: Mapping[str, str],
                cached: bool = False, same_lines: bool = True) -> Outcome:
    """The outcome of a validated guest result; where the error is and what the output means."""
    block = program.block
    status = result["status"]
    if status == "not_run":
        return not_running(program, variant, env, "not_run", result["error"]["message"])
    error = dict(result["error"]) if result.get("error") else None
    if error is not None:
        where, line = program.source_of(error.get("line")) if same_lines else (None, None)
        error.update(line=line if where == block.index else None, block=where, program_line=error.get("line"))
    stdout = result["stdout"]["text"]
    values = tuple(printed_values(own_output(stdout)))  # what the block printed, not the blocks before it
    deterministic = None
    if "repeat" in result:
        deterministic = result["repeat"]["status"] == status and same_values(
            values, printed_values(own_output(result["repeat"]["stdout"]["text"])))
    match, detail = "", ""
    if block.expected is not None and status == "ran":
        match, detail = compare_expected(block.expected, own_output(stdout))
        if match == "differs" and deterministic is False:
            detail += " (the block prints other numbers on every run: random draws)"
    return Outcome(program.document, block.index, variant, env, status, block.digest, block.heading,
                   block.first_line, program.blocks, error, (), "", stdout, result["stderr"]["text"],
                   result["stdout"]["bytes"], result["stderr"]["bytes"], values, deterministic, block.expected,
                   match, detail, dict(facts), float(result.get("duration_s", 0.0)), cached)

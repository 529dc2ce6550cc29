"""What one program variant did in one environment, as a value the reports and claims read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Dict, List, Mapping, Optional, Tuple

from lab.jobs.program import ProgramResult
from lab.jobs.session import CellResult
from lab.status import ENDED, Status, from_program_word, program_word
from lab.verbatim.documents import Block
from lab.verbatim.printed import Value, printed_values, same_values
from lab.verbatim.programs import Program, own_output
from lab.verbatim.shown import Match, Mode, compare, shown


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
    """type, message (first line), line (in the block, when the error is in it), block (the block whose code
    raised it: an earlier one when it ran first), cell (that block's notebook cell), program_line."""
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
    """The output the document shows for the block (a notebook cell's stored stdout, then its `Out[n]` text)."""
    match: str = ""
    """'matches' or 'differs' when the document shows output and the program ran; else ''."""
    match_detail: str = ""
    facts: Mapping[str, str] = field(default_factory=dict)
    """The environment's Python, TensorFlow, numpy versions, as its guest said."""
    duration_s: float = 0.0
    cached: bool = False
    cell: Optional[int] = None
    """The notebook cell it is, 1-based, counting every cell as Jupyter does (a `# %%` cell in a script)."""
    semantics: str = "examples"
    """'session' (in order, in one state, as a kernel) or 'examples' (each block with what it needs)."""
    skipped: Tuple[str, ...] = ()
    """Shell commands and magics of the block that did not run (`!pip install x`, `%matplotlib inline`)."""
    shown_value: Optional[str] = None
    """Session: the text of its last line's value, where a kernel shows one (`Out[n]`)."""
    forked: Optional[bool] = None
    """Session: it ran in a child forked for it (True), or in the session's process, as in a kernel."""

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
        # NOT_APPLICABLE is a finished trial (a twin whose API the env lacks) but, for a program,
        # a variant that does not exist: it never started.
        return self.status in ENDED and self.status is not Status.NOT_APPLICABLE

    @property
    def failed(self) -> bool:
        """It did not run to its end (raised, syntax error, timeout, crashed, not reached, not run)."""
        return self.status in (Status.ERROR, Status.SYNTAX_ERROR, Status.TIMEOUT, Status.CRASHED, Status.NOT_RUN,
                               Status.NOT_REACHED)

    @property
    def printed(self) -> str:
        """What its own code printed, with the value a kernel shows for its last line: what the
        document's shown output is compared with."""
        own = own_output(self.stdout)
        if self.shown_value is None:
            return own
        return own + ("" if not own or own.endswith("\n") else "\n") + self.shown_value + "\n"

    @property
    def where(self) -> str:
        """Where it is, as a writer finds it: `cell 7` in a notebook, `line 42` in a text."""
        return f"cell {self.cell}" if self.cell is not None else f"line {self.line}"

    @property
    def raised_by(self) -> Optional[int]:
        """The earlier block whose code raised its error (it ran first, in its program or session), if any."""
        block = (self.error or {}).get("block")
        return block if isinstance(block, int) and block != self.block else None

    def value(self, label: str) -> List[Value]:
        """Every value printed under `label`, in order."""
        return [v for k, v in self.values if k == label]

    def to_dict(self) -> Dict[str, Any]:
        data = asdict(self)
        data["status"] = self.word
        data["values"] = [list(pair) for pair in self.values]
        data["blocks"] = list(self.blocks)
        data["missing"] = list(self.missing)
        data["skipped"] = list(self.skipped)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outcome:
        values = tuple((str(k), v) for k, v in data.get("values", []))
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data and k not in ("values", "blocks",
                                                                                            "missing", "status",
                                                                                            "skipped")}
        return cls(**fields, status=from_program_word(str(data.get("status"))), values=values,
                   blocks=tuple(data.get("blocks", ())), missing=tuple(data.get("missing", ())),
                   skipped=tuple(data.get("skipped", ())))


def _common(program: Program, variant: str, env: str, semantics: str) -> Dict[str, Any]:
    block = program.block
    return {"document": program.document, "block": block.index, "variant": variant, "env": env,
            "digest": block.digest, "heading": block.heading, "line": block.first_line, "blocks": program.blocks,
            "expected": shown(block), "cell": block.cell, "semantics": semantics, "skipped": block.skipped}


SHELL_NOT_RUN = "shell commands and magics: not run (--allow-shell runs them in the environment)"


def not_running(program: Program, variant: str, env: str, status: Status, why: str = "",
                semantics: str = "examples") -> Outcome:
    """The outcome of a program that is not run: a fragment, a shell cell, an unavailable variant, a failed env."""
    return Outcome(**_common(program, variant, env, semantics), status=status,
                   missing=program.missing if status is Status.FRAGMENT else (), why=why)


def _match(block: Block, status: Status, printed: str, mode: Mode, deterministic: Optional[bool]) -> Tuple[str, str]:
    """'matches', 'differs' or 'not checked' against the output the document shows, with why; ('', '')
    when it shows none or the block did not run to its end."""
    if status is not Status.OK:
        return "", ""
    found = compare(block, printed, mode)
    if found.result is Match.NOT_SHOWN:
        return "", ""
    detail = found.detail
    if found.result is Match.DIFFERS and deterministic is False:
        detail += " (the block prints other numbers on every run: random draws)"
    return found.result.value, detail


def _where(error: Dict[str, Any], blocks: Mapping[int, Block], index: Optional[int], line: Optional[int],
           own: int) -> Dict[str, Any]:
    """The error with the block (and notebook cell) whose code raised it, and the line in that block."""
    error.update(line=line if index == own else None, block=index,
                 cell=blocks[index].cell if index is not None and index in blocks else None)
    if index is not None and index != own:
        error["block_line"] = line
    return error


def from_result(program: Program, variant: str, env: str, result: ProgramResult, cached: bool = False,
                same_lines: bool = True, mode: Mode = Mode.STRICT,
                blocks: Optional[Mapping[int, Block]] = None) -> Outcome:
    """The outcome of a program's result in one environment; where the error is and what the output means."""
    block = program.block
    status = result.status
    if status is Status.NOT_RUN:
        return not_running(program, variant, env, Status.NOT_RUN, str((result.error or {}).get("message", "")))
    error = dict(result.error) if result.error else None
    if error is not None:
        where, line = program.source_of(error.get("line")) if same_lines else (None, None)
        program_line = error.get("line")
        error = _where(error, blocks or {block.index: block}, where, line, block.index)
        error["program_line"] = program_line
    stdout = result.stdout["text"]
    values = tuple(printed_values(own_output(stdout)))  # what the block printed, not the blocks before it
    deterministic = None
    if result.repeat is not None:
        deterministic = result.repeat["status"] == status and same_values(
            values, printed_values(own_output(result.repeat["stdout"]["text"])))
    match, detail = _match(block, status, own_output(stdout), mode, deterministic)
    return Outcome(**_common(program, variant, env, "examples"), status=status, error=error, stdout=stdout,
                   stderr=result.stderr["text"], stdout_bytes=result.stdout["bytes"],
                   stderr_bytes=result.stderr["bytes"], values=values, deterministic=deterministic, match=match,
                   match_detail=detail, facts=dict(result.facts), duration_s=result.duration_s, cached=cached)


def from_cell(program: Program, variant: str, env: str, result: CellResult, order: Tuple[Block, ...],
              facts: Mapping[str, str], cached: bool = False, mode: Mode = Mode.STRICT) -> Outcome:
    """The outcome of a session's cell (`order`: its own document's cells, so an error names the cell
    that raised it)."""
    if result.status is Status.NOT_RUN:
        return not_running(program, variant, env, Status.NOT_RUN, str((result.error or {}).get("message", "")),
                           "session")
    if result.status is Status.SHELL:
        return not_running(program, variant, env, Status.SHELL, SHELL_NOT_RUN, "session")
    common = _common(program, variant, env, "session")
    error = dict(result.error) if result.error else None
    if error is not None:
        position = error.pop("cell", None)
        raiser = order[position] if isinstance(position, int) and position < len(order) else None
        if result.status is Status.NOT_REACHED:
            error.update(block=raiser.index if raiser else None, cell=raiser.cell if raiser else None)
        else:
            line = error.get("line") if raiser is not None else None
            error = _where(error, {b.index: b for b in order}, raiser.index if raiser else program.block.index, line,
                           program.block.index)
    stdout = result.stdout["text"]
    outcome = Outcome(**common, status=result.status, error=error, stdout=stdout, stderr=result.stderr["text"],
                      stdout_bytes=result.stdout["bytes"], stderr_bytes=result.stderr["bytes"],
                      values=tuple(printed_values(stdout)), facts=dict(facts), duration_s=result.duration_s,
                      cached=cached, shown_value=result.value, forked=result.forked)
    match, detail = _match(program.block, result.status, outcome.printed, mode, None)
    return replace(outcome, match=match, match_detail=detail)

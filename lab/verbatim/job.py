"""The verbatim runner's job for an environment: its request, and the results the host accepts back.

Nothing from the guest chooses a run or names a path: a line counts only when it is well formed,
its `run` is an id the host asked for and not answered yet; the host keeps only the fields it
knows, bounded. A run without an accepted line is `not_run`, with why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from lab.record import Status

MODULE = "lab.guest.verbatim"
GUEST_STATUSES = ("ran", "raised", "syntax_error", "timeout", "crashed")
MAX_TEXT = 20 << 10
MAX_LINE = 256 << 10


@dataclass
class VerbatimJob:
    """Programs for one environment: (id, text) pairs, run in order by the fork server."""

    runs: List[Tuple[int, str]]
    timeout_s: float
    repeat: int = 2
    isolation: str = "fork"
    module: str = MODULE
    results: Dict[int, Dict[str, Any]] = field(default_factory=dict)
    facts: Dict[str, str] = field(default_factory=dict)
    refused: int = 0
    io: Optional[Path] = None

    def write(self, io: Path) -> None:
        self.io = io
        request = {"timeout_s": self.timeout_s, "repeat": self.repeat, "isolation": self.isolation,
                   "runs": [{"id": i, "text": t} for i, t in self.runs]}
        (io / "request.json").write_text(json.dumps(request))

    def done(self) -> int:
        """How many results the guest has written so far (for a progress bar)."""
        path = self.io / "results.jsonl" if self.io else None
        try:
            with open(path, "rb") as handle:  # type: ignore[arg-type]
                return max(0, sum(1 for _ in handle) - 1)
        except (OSError, TypeError):
            return 0

    def collect(self, io: Path, missing: Status, why: str) -> None:
        asked = {i for i, _ in self.runs}
        path = io / "results.jsonl"
        if path.exists():
            with path.open("rb") as handle:
                for raw in handle:
                    self._accept(raw, asked)
        if self.refused:
            why = f"{why}; {self.refused} line(s) from the guest refused as invalid"
        for i in asked - set(self.results):
            self.results[i] = {"status": "not_run", "error": {"type": missing.value, "message": why, "line": None},
                               "stdout": {"text": "", "bytes": 0}, "stderr": {"text": "", "bytes": 0},
                               "duration_s": 0.0}

    def _accept(self, raw: bytes, asked: set) -> None:
        try:
            data = json.loads(raw) if len(raw) <= MAX_LINE else None
        except ValueError:
            data = None
        if isinstance(data, dict) and set(data) == {"facts"} and isinstance(data["facts"], dict) and not self.facts:
            self.facts = {k: str(v)[:40] for k, v in data["facts"].items() if k in ("python", "tensorflow", "numpy")}
            return
        clean = valid_result(data)
        index = data.get("run") if isinstance(data, dict) else None
        if clean is None or not isinstance(index, int) or index not in asked or index in self.results:
            self.refused += 1
            return
        self.results[index] = clean


def _stream(value: Any) -> Optional[Dict[str, Any]]:
    if not isinstance(value, dict) or not isinstance(value.get("text"), str) or not isinstance(value.get("bytes"), int):
        return None
    return {"text": value["text"][:MAX_TEXT], "bytes": max(0, value["bytes"])}


def _error(value: Any) -> Optional[Dict[str, Any]]:
    if not isinstance(value, dict) or not isinstance(value.get("type"), str) or not isinstance(
            value.get("message"), str):
        return None
    line = value.get("line")
    return {"type": value["type"][:100], "message": value["message"][:500],
            "line": line if isinstance(line, int) and not isinstance(line, bool) else None}


def valid_result(data: Any) -> Optional[Dict[str, Any]]:
    """The fields the host keeps of a guest's result line, or None when it is malformed."""
    if not isinstance(data, dict) or data.get("status") not in GUEST_STATUSES:
        return None
    stdout, stderr = _stream(data.get("stdout")), _stream(data.get("stderr"))
    error = _error(data.get("error")) if data.get("error") is not None else None
    duration = data.get("duration_s", data.get("wall_s", 0.0))
    if stdout is None or stderr is None or (data.get("error") is not None and error is None) or not isinstance(
            duration, (int, float)):
        return None
    if (data["status"] == "ran") != (error is None):
        return None
    clean: Dict[str, Any] = {"status": data["status"], "error": error, "stdout": stdout, "stderr": stderr,
                             "duration_s": float(duration)}
    repeat = data.get("repeat")
    if repeat is not None:
        again = _stream(repeat.get("stdout")) if isinstance(repeat, dict) else None
        if again is None or repeat.get("status") not in GUEST_STATUSES:
            return None
        clean["repeat"] = {"status": repeat["status"], "stdout": again}
    return clean


def result_from_cache(data: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """A cached result is checked as strictly as a fresh one."""
    return valid_result(dict(data))

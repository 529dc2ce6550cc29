"""What the lab ships into an environment, the request it sends, and the records it accepts back.

The shipment is `lab/__init__.py`, the `lab/guest/` package and the scenario folders' modules,
copied into one folder: exactly that is on the guest's path, and its hash is the code part of
every cache key. Back from the guest, the host takes only schema-valid results for trials it
asked for, and builds each record from its own plan (environment, scenario, mode, seed).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from lab.environments.guestlog import crash_message
from lab.plan import Trial
from lab.record import Record, Status, unfinished
from lab.schemas import problem
from lab.scratch import scratch_dir

LAB_DIR = Path(__file__).resolve().parents[1]
GUEST_DIR = LAB_DIR / "guest"
# A guest's result line longer than this is refused unread: records are summaries, not dumps.
MAX_RESULT_BYTES = 8 << 20


def guest_files() -> List[Path]:
    """The lab code an environment runs: lab/__init__.py and every module of lab/guest/."""
    return [LAB_DIR / "__init__.py", *sorted(GUEST_DIR.rglob("*.py"))]


def guest_fingerprint() -> str:
    """A sha256 of the shipped lab code: any change to it can change a record."""
    digest = hashlib.sha256()
    for path in guest_files():
        digest.update(path.relative_to(LAB_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Shipment:
    """A staged copy of the guest and the scenario modules, read-only for the environments."""

    root: Path
    """The folder to put on the guest's path (holds lab/ and scenarios/<n>/)."""
    scenario_dirs: Tuple[str, ...]
    """The scenario folders, relative to root, in the order the host loaded them."""


def stage(scenario_dirs: Sequence[Path], into: Path) -> Shipment:
    """Copy the guest and each scenario folder's modules under `into` (world-readable, so a
    container's unprivileged user can read them)."""
    for path in guest_files():
        target = into / "lab" / path.relative_to(LAB_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    names = []
    for i, directory in enumerate(scenario_dirs):
        name = f"scenarios/{i}"
        (into / name).mkdir(parents=True)
        for module in sorted(Path(directory).glob("*.py")):
            shutil.copyfile(module, into / name / module.name)
        names.append(name)
    for folder, _, files in os.walk(into):
        os.chmod(folder, 0o755)
        for f in files:
            os.chmod(os.path.join(folder, f), 0o644)
    return Shipment(into, tuple(names))


class Staged:
    """A shipment in a temporary folder for the length of a `with` block."""

    def __init__(self, scenario_dirs: Sequence[Path]) -> None:
        self.scenario_dirs = list(scenario_dirs)
        self._tmp: Optional[tempfile.TemporaryDirectory[str]] = None

    def __enter__(self) -> Shipment:
        self._tmp = scratch_dir("shipment")
        return stage(self.scenario_dirs, Path(self._tmp.name))

    def __exit__(self, *exc: Any) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def write_request(path: Path, trials: Sequence[Trial], shipment: Shipment) -> None:
    """The guest's instructions: where scenarios live (in the shipment) and what to run, in order."""
    request = {
        "scenario_dirs": list(shipment.scenario_dirs),
        "trials": [{"scenario": t.scenario, "mode": t.mode.value, "seed": t.seed} for t in trials],
    }
    path.write_text(json.dumps(request, indent=1))


def _results(path: Path) -> Iterator[Tuple[int, Any]]:
    """(line number, parsed JSON or None) for each line the guest wrote, reading a line at a time."""
    if not path.exists():
        return
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if len(raw) > MAX_RESULT_BYTES:
                yield number, None
                continue
            try:
                yield number, json.loads(raw)
            except ValueError:
                yield number, None  # a line cut short by a crash, or not JSON at all


@dataclass(frozen=True)
class Collected:
    """The records of a batch, and how many lines the host refused."""

    records: List[Record]
    """One per trial, in trial order."""
    refused: int
    """Guest lines that were not a valid result for a trial asked for (or came twice)."""


def collect(env: str, trials: Sequence[Trial], path: Path, missing: Status, why: str,
            host_facts: Optional[Mapping[str, Any]] = None, log: Sequence[str] = ()) -> Collected:
    """Read the guest's results; give each trial it did not finish a record saying why.

    Nothing from the guest names a path or chooses a trial: a line counts only when it is
    schema-valid, its index is a trial asked for and not answered yet, and its scenario and
    mode are that trial's. Environment and seed come from the plan. `log`, the last lines of
    the guest's output, names in the unfinished trials' message the trial that was running and
    the cause.
    """
    done: Dict[int, Record] = {}
    refused = 0
    for _, data in _results(path):
        index = data.get("trial") if isinstance(data, dict) else None
        if (data is None or problem(data, "guest-result") or not isinstance(index, int)
                or not 0 <= index < len(trials) or index in done
                or (data["scenario"], data["mode"]) != (trials[index].scenario, trials[index].mode.value)):
            refused += 1
            continue
        t = trials[index]
        done[index] = Record(t.scenario, t.mode, env, t.seed, Status(data["status"]), data["observations"],
                             data["error"], {**data["facts"], **(host_facts or {})}, float(data["duration_s"]))
    if missing is not Status.NOT_RUN:  # it started: say which trial it was running, and why it stopped
        why = crash_message(why, log, trials, [i for i in range(len(trials)) if i not in done])
    if refused:
        why = f"{why}; {refused} line(s) from the guest refused as invalid"
    records = [done.get(i) or unfinished(t.scenario, t.mode, env, t.seed, missing, why, host_facts)
               for i, t in enumerate(trials)]
    return Collected(records, refused)

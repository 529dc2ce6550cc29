"""The runner protocol, the trial request, and the record collection every runner shares."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Protocol, Sequence, Tuple

from lab.observe import Record
from lab.scenario import ROOT, Mode


@dataclass(frozen=True)
class Trial:
    """One twin of one scenario, to be run with a seed."""

    scenario: str
    """The scenario id."""
    mode: Mode
    """Which twin."""
    seed: int
    """The seed set before the twin runs."""

    def __str__(self) -> str:
        return f"{self.scenario}[{self.mode.value}]"


class Runner(Protocol):
    """Runs all the trials of one environment in one process and returns one record per trial."""

    env: str

    def run(self, trials: Sequence[Trial]) -> List[Record]:
        """Records in the order of `trials`; a trial the environment never finished still gets
        a record, with a status saying why (crashed, timeout, not_run)."""
        ...


def portable_dir(directory: Path) -> str:
    """A scenario directory as the guest should see it: relative to the project root if inside."""
    directory = Path(directory).resolve()
    try:
        return str(directory.relative_to(ROOT))
    except ValueError:
        return str(directory)


def write_request(path: Path, env: str, trials: Sequence[Trial], scenario_dirs: Sequence[Path]) -> None:
    """The guest's instructions: which environment it is, where scenarios live, what to run."""
    request = {
        "env": env,
        "scenario_dirs": [portable_dir(d) for d in scenario_dirs],
        "trials": [{"scenario": t.scenario, "mode": t.mode.value, "seed": t.seed} for t in trials],
    }
    path.write_text(json.dumps(request, indent=1))


def collect_records(
    env: str,
    trials: Sequence[Trial],
    records_path: Path,
    missing_status: str,
    missing_detail: str,
    facts: Optional[Mapping[str, object]] = None,
) -> List[Record]:
    """Read the guest's records; give each trial it did not finish a record saying why."""
    done: Dict[Tuple[str, str], Record] = {}
    if records_path.exists():
        for line in records_path.read_text().splitlines():
            if line.strip():
                try:
                    record = Record.from_dict(json.loads(line))
                except (ValueError, TypeError):
                    continue  # a line cut short by a crash
                if facts:
                    record.facts.update(facts)
                done[(record.scenario, record.mode)] = record
    records = []
    for t in trials:
        found = done.get((t.scenario, t.mode.value))
        if found is None:
            found = Record(t.scenario, t.mode.value, env, t.seed, missing_status,
                           error={"type": missing_status, "message": missing_detail}, facts=dict(facts or {}))
        records.append(found)
    return records

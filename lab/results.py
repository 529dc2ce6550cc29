"""A results folder's data: every record, the verdicts, a manifest, documents' outcomes; read back too."""

from __future__ import annotations

import datetime
import json
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from lab import __version__, atomic
from lab.errors import UsageError
from lab.record import Record
from lab.scenario import ROOT
from lab.verbatim.outcome import Outcome
from lab.verdict import Judgement

MANIFEST = "manifest.json"
VERBATIM = "verbatim.json"
VERBATIM_FORMAT = 1


def record_path(out: Path, record: Record) -> Path:
    return out / "records" / record.env / f"{record.scenario}.{record.mode.value}.json"


def write_records(out: Path, records: Sequence[Record], judgements: Sequence[Judgement]) -> List[Path]:
    """Write every record and the scenarios' verdicts under `out`; returns the files written."""
    written = []
    for r in records:
        path = record_path(out, r)
        atomic.write_text(path, json.dumps(r.to_dict(), indent=1) + "\n")  # whole or not at all (issue 26)
        written.append(path)
    verdicts = out / "verdicts.json"
    atomic.write_text(verdicts, json.dumps([j.to_dict() for j in judgements], indent=1) + "\n")
    written.append(verdicts)
    return written


def load_records(out: Path) -> List[Record]:
    """Every record saved under `out`, in a stable order."""
    records = []
    for path in sorted((out / "records").glob("*/*.json")):
        try:
            data = json.loads(path.read_text())
        except ValueError as exc:
            raise UsageError(f"{path}: not JSON ({exc}); rerun the command that made it") from None
        records.append(Record.from_dict(data, str(path)))
    return records


def git_commit() -> Dict[str, Any]:
    """The commit the lab ran from, and whether the tree had uncommitted changes."""
    def git(*args: str) -> Optional[str]:
        try:
            done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def manifest(envs: Mapping[str, Mapping[str, Any]], seed: int, modes: Sequence[str],
             scenarios: Sequence[str], extra: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """What a run was made of: lab version, git commit, and per env its image and packages."""
    return {
        "lab_version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git": git_commit(),
        "seed": seed,
        "modes": list(modes),
        "scenarios": list(scenarios),
        "envs": {name: dict(info) for name, info in envs.items()},
        **(extra or {}),
    }


def env_info(result: Any) -> Dict[str, Dict[str, Any]]:
    """Each env's manifest entry: how it is made, its problem, its cached jobs, its installed packages."""
    return {o.name: {**o.description, "problem": o.problem, "unavailable": o.unavailable, "cached_trials": o.cached,
                     "pip_freeze": list(o.freeze)} for o in result.outcomes}


def save(result: Any, out: Path, extra: Optional[Mapping[str, Any]] = None) -> None:
    """A results folder's data: every record and the verdicts, the manifest (`extra` adds
    top-level entries: a shard's, merge's `merged_from`), an env's traceback when it has one,
    and for documents verbatim.json (every block's outcome, the block claims, what was read).
    The reports beside them are lab/reports' (lab.api.save writes both)."""
    out.mkdir(parents=True, exist_ok=True)
    if result.records or not result.documents:
        write_records(out, result.records, result.scenario_judgements)
    ids = list(dict.fromkeys(t.scenario for t in result.plan.trials)) or list(
        dict.fromkeys(r.scenario for r in result.records))
    data = manifest(env_info(result), result.plan.seed, [m.value for m in result.plan.modes], ids, extra)
    write_text(out, MANIFEST, json.dumps(data, indent=1) + "\n")
    for o in result.outcomes:
        if o.traceback:
            write_text(out, f"{o.name}.traceback.txt", o.traceback)
    if result.documents is not None:
        meta = {**result.documents.meta(), "problems": dict(result.problems)}
        document = {"format": VERBATIM_FORMAT, "meta": meta, "outcomes": [o.to_dict() for o in result.blocks],
                    "judgements": [j.to_dict() for j in result.block_judgements]}
        write_text(out, VERBATIM, json.dumps(document, indent=1))


def read_manifest(out: Path) -> Dict[str, Any]:
    """A results folder's manifest; {} when it has none (as `lab run --out` without a manifest made)."""
    path = out / MANIFEST
    try:
        return json.loads(path.read_text()) if path.is_file() else {}
    except ValueError as exc:
        raise UsageError(f"{path}: not JSON ({exc}); rerun the command that made it") from None


def read_blocks(folder: Path) -> Tuple[List[Outcome], Dict[str, Any]]:
    """A folder's block outcomes and their meta (verbatim.json); one-line UsageError when unreadable."""
    try:
        data = json.loads((folder / VERBATIM).read_text())
        if data.get("format") != VERBATIM_FORMAT:
            raise ValueError(f"format {data.get('format')!r}, this lab reads {VERBATIM_FORMAT}")
        outcomes = [Outcome.from_dict(o) for o in data["outcomes"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{folder}: not a readable verbatim results folder ({str(exc)[:120]})") from None
    return outcomes, dict(data.get("meta") or {})


def has_blocks(folder: Path) -> bool:
    return (folder / VERBATIM).is_file()


def write_text(out: Path, name: str, text: str) -> Path:
    path = out / name
    atomic.write_text(path, text)
    return path


def default_results_dir(base: Path = Path("results")) -> Path:
    """results/<UTC time>: a fresh folder per run, sortable by name."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = base / stamp
    n = 1
    while path.exists():
        n += 1
        path = base / f"{stamp}-{n}"
    return path

"""A results folder: every record, the verdicts, a manifest, and the reports."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from lab import __version__
from lab.errors import UsageError
from lab.record import Record
from lab.scenario import ROOT
from lab.verdict import Judgement

MANIFEST = "manifest.json"


def record_path(out: Path, record: Record) -> Path:
    return out / "records" / record.env / f"{record.scenario}.{record.mode.value}.json"


def save(out: Path, records: Sequence[Record], judgements: Sequence[Judgement]) -> List[Path]:
    """Write every record and the verdicts under `out`; returns the files written."""
    written = []
    for r in records:
        path = record_path(out, r)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(r.to_dict(), indent=1) + "\n")
        written.append(path)
    verdicts = out / "verdicts.json"
    verdicts.write_text(json.dumps([j.to_dict() for j in judgements], indent=1) + "\n")
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


def write_run(out: Path, records: Sequence[Record], judgements: Sequence[Judgement],
              envs: Mapping[str, Mapping[str, Any]], seed: int, modes: Sequence[str],
              extra: Optional[Mapping[str, Any]] = None) -> None:
    """A complete results folder: records, verdicts, manifest, report.md, junit.xml, and
    emulation.json when a real TF1 environment ran beside TF 2 ones.
    `envs` maps each env to its manifest entry (image, image_id, problem, pip_freeze);
    `extra` adds top-level manifest entries (merge's `merged_from`)."""
    from lab.reports import emulation
    from lab.reports import matrix as matrix_report

    save(out, records, judgements)
    ids = list(dict.fromkeys(r.scenario for r in records))
    write_text(out, MANIFEST, json.dumps(manifest(envs, seed, modes, ids, extra), indent=1) + "\n")
    problems = {name: str(info.get("problem") or "") for name, info in envs.items()}
    report = matrix_report.markdown(records, judgements, problems)
    write_text(out, "report.md", report)
    append_step_summary(report)
    write_text(out, "junit.xml", matrix_report.junit(records, judgements))
    diffs = emulation.emulation_diffs(records, judgements)
    if diffs:
        write_text(out, "emulation.json", json.dumps([d.to_dict() for d in diffs], indent=1) + "\n")


def check_html_path(path: Optional[Path]) -> None:
    """An --html that cannot be written is found before any work, not after it."""
    if path is None:
        return
    if path.is_dir():
        raise UsageError(f"--html {path} is a folder: name the file to write, e.g. {path / 'report.html'}")
    existing = next((p for p in path.parents if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise UsageError(f"--html {path}: {existing} is not a folder; choose another path")


def write_html(path: Path, records: Sequence[Record], judgements: Sequence[Judgement], scenarios: Mapping[str, Any],
               problems: Mapping[str, str], manifest_: Mapping[str, Any]) -> int:
    """The self-contained HTML report at `path`; returns its size in bytes."""
    from lab.reports import html

    text = html.page(records, judgements, scenarios, problems, manifest_)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path.stat().st_size


def append_step_summary(markdown: str) -> None:
    """On GitHub Actions, the Markdown report goes on the job's summary page too."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(markdown if markdown.endswith("\n") else markdown + "\n")


def write_text(out: Path, name: str, text: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    path.write_text(text)
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

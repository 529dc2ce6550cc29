"""A results folder: one JSON file per record, and the verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Sequence

from lab.compare import Judgement
from lab.observe import Record


def record_path(out: Path, record: Record) -> Path:
    return out / "records" / record.env / f"{record.scenario}.{record.mode}.json"


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
    return [Record.from_dict(json.loads(p.read_text())) for p in sorted((out / "records").glob("*/*.json"))]

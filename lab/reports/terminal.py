"""Renderers: the terminal report of a run, and its JSON form."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Sequence

from lab import __version__
from lab.record import Record
from lab.reports.pairs import mode_diff, pair_by_mode
from lab.reports.view import View
from lab.scenario import Scenario
from lab.text import printable
from lab.values import clip, show, table
from lab.verdict import Judgement

VALUE_WIDTH = 34


def env_line(record: Record) -> str:
    f = record.facts
    keras = f.get("keras") or "?"
    if f.get("keras_package") and f.get("keras_package") != "keras":
        keras += f" ({f['keras_package']})"
    return (f"env {record.env}: TensorFlow {f.get('tensorflow', '?')}, Keras {keras}, "
            f"numpy {f.get('numpy', '?')}, Python {f.get('python', '?')}; seed {record.seed}")


def _status_line(record: Record) -> str:
    err = record.error or {}
    return f"  {record.mode.value} twin {record.status.value}: {err.get('type', '')}: {err.get('message', '')}"


def scenario_block(
    scenario: Scenario, by_mode: Mapping[str, Record], judgements: Sequence[Judgement]
) -> List[str]:
    """The observations side by side, then each claim's verdict per mode with its evidence."""
    first = next(iter(by_mode.values()))
    # Guest text (values, errors, facts) is made printable where it enters a line, not the joined
    # report: the table may carry the terminal's colour codes.
    lines = [f"{scenario.id}: {scenario.summary}", f"  source {scenario.source}", printable(f"  {env_line(first)}")]
    lines += [printable(_status_line(r)) for r in by_mode.values() if not r.ok]
    modes = [m for m in ("graph", "eager") if m in by_mode]
    diffs = mode_diff(by_mode.get("graph"), by_mode.get("eager"))
    if diffs:
        rows = []
        for d in diffs:
            cells = [printable(clip(show(d.graph if m == "graph" else d.eager), VALUE_WIDTH))
                     if (d.in_graph if m == "graph" else d.in_eager) else "(not recorded)" for m in modes]
            rows.append([printable(d.key), *cells, "" if len(modes) < 2 or d.same else "<- differs"])
        lines.append("")
        lines += ["  " + line for line in table(["observation", *modes, ""], rows)]
    if judgements:
        lines.append("")
        lines.append("  claims")
        for index, claim in enumerate(scenario.claims, 1):
            mine = [j for j in judgements if j.claim == index]
            verdicts = "  ".join(f"{j.mode} {j.verdict.value}" for j in mine)
            lines.append(f"  {index}. {claim.text}")
            lines.append(f"     {verdicts}")
            for j in mine:
                because = j.reason or ", ".join(f"{k} = {clip(show(v), 60)}" for k, v in j.evidence.items())
                lines.append(printable(f"       {j.mode}: {because}"))
    return lines


def terminal(view: View) -> str:
    """The report `lab run` prints: one block per (environment, scenario)."""
    blocks = []
    for (env, sid), by_mode in pair_by_mode(view.records).items():
        mine = [j for j in view.judgements if j.scenario == sid and j.env == env]
        blocks.append("\n".join(scenario_block(view.catalog[sid], by_mode, mine)))
    return "\n\n".join(blocks) + "\n"


def summary_line(view: View) -> str:
    records = view.records
    counts: Dict[str, int] = {}
    for j in view.judgements:
        counts[j.verdict.value] = counts.get(j.verdict.value, 0) + 1
    failed = sum(1 for r in records if not r.ok)
    verdicts = ", ".join(f"{n} {v}" for v, n in sorted(counts.items())) or "no claims"
    trials = f"{len(records)} trials" + (f" ({failed} did not finish)" if failed else "")
    return f"{trials}; verdicts: {verdicts}"


def as_json(view: View) -> str:
    """The records and verdicts (and documents' block outcomes), machine-readable."""
    data: Dict[str, Any] = {
        "lab_version": __version__,
        "records": [r.to_dict() for r in view.records],
        "verdicts": [j.to_dict() for j in view.judgements],
    }
    if view.blocks:
        data["blocks"] = [o.to_dict() for o in view.blocks]
        data["block_verdicts"] = [j.to_dict() for j in view.block_judgements]
    return json.dumps(data, indent=1)

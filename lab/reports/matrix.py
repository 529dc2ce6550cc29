"""Renderers for multi-environment runs: the terminal verdict matrix, Markdown and JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Dict, List, Mapping, Sequence

from lab.record import Record
from lab.reports import emulation
from lab.reports.drift import (
    columns,
    env_facts,
    env_order,
    gaps_by_scenario,
    matrix_cells,
    mode_gaps,
    observation_drift,
    verdict_drift,
    verdict_rows,
)
from lab.reports.values import clip, table
from lab.verdict import Judgement

SHORT = {"HOLDS": "HOLDS", "REFUTED": "REFUTED", "INCONCLUSIVE": "INCONCL."}
MAX_LINES = 25
LINE_WIDTH = 200  # the terminal gets the gist; report.md has every line in full


def _cell(value: str) -> str:
    return SHORT.get(value, value)


def _section(title: str, lines: List[str], limit: int) -> List[str]:
    if not lines:
        return [f"{title}: none"]
    shown = lines[:limit]
    more = [f"  ... and {len(lines) - limit} more (see report.md)"] if len(lines) > limit else []
    return [f"{title}:", *(f"  {line}" for line in shown), *more]


def terminal(records: Sequence[Record], judgements: Sequence[Judgement], problems: Mapping[str, str]) -> str:
    """The verdict matrix (a row per claim, a column per env and mode), then what differs."""
    cols = columns(records)
    rows = verdict_rows(records, judgements)
    header = ["claim", *(f"{env}/{mode[0]}" for env, mode in cols)]
    body = [[row.label, *(_cell(c) for c in cells)] for row, cells in zip(rows, matrix_cells(rows, cols))]
    lines = table(header, body)
    lines.append("(columns: env/g = graph twin, env/e = eager twin)")
    lines.append("")
    for env, problem in problems.items():
        if problem:
            lines.append(f"environment {env} FAILED: {problem}")
    lines += _section("graph and eager disagree", gaps_by_scenario(mode_gaps(records), records), MAX_LINES)
    lines += _section("verdicts that change between environments", verdict_drift(rows, cols), MAX_LINES)
    lines += _section("observations that change between environments", observation_drift(records), MAX_LINES)
    diffs = emulation.emulation_diffs(records, judgements)
    if diffs:
        real = diffs[0].real_env
        lines += _section(f"compat.v1 graph twins that judge otherwise than real TF1 ({real})",
                          emulation.verdict_lines(diffs), MAX_LINES)
        lines += _section(f"compat.v1 graph observations that differ from real TF1 ({real})",
                          emulation.observation_lines(diffs), MAX_LINES)
    return "\n".join(clip(line, LINE_WIDTH) for line in lines) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(records: Sequence[Record], judgements: Sequence[Judgement], problems: Mapping[str, str],
             title: str = "lab compare-all") -> str:
    """The full report: environments, the verdict matrix with claim texts, every difference."""
    cols = columns(records)
    rows = verdict_rows(records, judgements)
    out = [f"# {title}", "", "## Environments", "", "| env | TensorFlow | Keras | numpy | Python | status |",
           "|---|---|---|---|---|---|"]
    facts = env_facts(records)
    for env in dict.fromkeys(e for e, _ in cols):
        f = facts.get(env, {})
        keras = f"{f.get('keras', '?')} ({f.get('keras_package', '?')})"
        status = f"FAILED: {_md_escape(problems[env])}" if problems.get(env) else "ok"
        out.append(f"| {env} | {f.get('tensorflow', '?')} | {keras} | {f.get('numpy', '?')} | "
                   f"{f.get('python', '?')} | {status} |")
    out += ["", "## Verdicts", "", "| claim | statement | " + " | ".join(f"{e} {m}" for e, m in cols) + " |",
            "|---|---|" + "---|" * len(cols)]
    for row, cells in zip(rows, matrix_cells(rows, cols)):
        out.append(f"| {row.label} | {_md_escape(row.text)} | " + " | ".join(cells) + " |")
    for title_, lines in (("Graph and eager disagree", [str(g) for g in mode_gaps(records)]),
                          ("Verdicts that change between environments", verdict_drift(rows, cols)),
                          ("Observations that change between environments", observation_drift(records))):
        out += ["", f"## {title_}", ""]
        out += [f"- {_md_escape(line)}" for line in lines] or ["None."]
    diffs = emulation.emulation_diffs(records, judgements)
    if diffs:
        out += ["", f"## The compat.v1 emulation against real TF1 ({diffs[0].real_env})", "",
                "The graph twins in each TF 2 environment beside the same twins on real TensorFlow 1.", "",
                "### Verdicts and statuses that differ", ""]
        out += [f"- {_md_escape(line)}" for line in emulation.verdict_lines(diffs)] or ["None."]
        out += ["", "### Observations that differ", ""]
        out += [f"- {_md_escape(line)}" for line in emulation.grouped(
            [d for d in diffs if d.kind == "observation"])] or ["None."]
    order = env_order(records)
    unfinished = sorted((r for r in records if not r.ok), key=lambda r: order.index(r.env))
    if unfinished:
        out += ["", "## Trials that did not finish", ""]
        out += [f"- {r.env} {r.scenario} [{r.mode}] {r.status}: {_md_escape((r.error or {}).get('message', ''))}"
                for r in unfinished]
    return "\n".join(out) + "\n"


def junit(records: Sequence[Record], judgements: Sequence[Judgement]) -> str:
    """JUnit XML: a suite per env; a case per claim and mode. HOLDS passes, REFUTED is a
    failure (the claim is false there), INCONCLUSIVE is skipped, an unfinished twin an error."""
    status = {(r.env, r.scenario, r.mode): r for r in records}
    suites = ET.Element("testsuites", name="lab")
    by_env: Dict[str, List[Judgement]] = {}
    for j in judgements:
        by_env.setdefault(j.env, []).append(j)
    for env, mine in by_env.items():
        suite = ET.SubElement(suites, "testsuite", name=env, tests=str(len(mine)))
        counts = {"failures": 0, "errors": 0, "skipped": 0}
        for j in mine:
            case = ET.SubElement(suite, "testcase", classname=f"{env}.{j.scenario}",
                                 name=f"#{j.claim} [{j.mode}] {j.text}")
            record = status.get((env, j.scenario, j.mode))
            if record is not None and record.failed:
                counts["errors"] += 1
                ET.SubElement(case, "error", type=record.status, message=(record.error or {}).get("message", ""))
            elif j.verdict.value == "REFUTED":
                counts["failures"] += 1
                evidence = "; ".join(f"{k}={v}" for k, v in j.evidence.items())
                ET.SubElement(case, "failure", type="REFUTED", message=evidence[:500])
            elif j.verdict.value == "INCONCLUSIVE":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=j.reason)
        for key, value in counts.items():
            suite.set(key, str(value))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"

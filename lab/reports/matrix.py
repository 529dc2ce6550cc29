"""Renderers for multi-environment runs: the terminal verdict matrix, Markdown and JUnit XML."""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple

from lab.record import Record, Status
from lab.reports import emulation
from lab.reports.drift import gaps_by_scenario
from lab.reports.view import View
from lab.text import printable, xml_safe
from lab.values import clip, show, table

if TYPE_CHECKING:  # lab.baseline imports the reports' value formatting; only its type is needed here
    from lab.baseline import Change

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


def terminal(view: View) -> str:
    """The verdict matrix (a row per claim, a column per env and mode), then what differs."""
    header = ["claim", *(f"{env}/{mode[0]}" for env, mode in view.cols)]
    body = [[row.label, *(_cell(c) for c in cells)] for row, cells in zip(view.rows, view.cells)]
    drawn = table(header, body)  # not clipped: a terminal's table may carry colour codes
    lines = ["(columns: env/g = graph twin, env/e = eager twin)"]
    lines.append("")
    for env, problem in view.problems_by_env.items():
        lines.append(f"environment {env} FAILED: {problem}")
    lines += _section("graph and eager disagree", gaps_by_scenario(view.gaps, view.records), MAX_LINES)
    lines += _section("verdicts that change between environments", view.verdict_drift, MAX_LINES)
    lines += _section("observations that change between environments", view.observation_drift, MAX_LINES)
    diffs = view.emulation
    if diffs:
        real = diffs[0].real_env
        lines += _section(f"compat.v1 graph twins that judge otherwise than real TF1 ({real})",
                          emulation.verdict_lines(diffs), MAX_LINES)
        lines += _section(f"compat.v1 graph observations that differ from real TF1 ({real})",
                          emulation.observation_lines(diffs), MAX_LINES)
    # guest text (errors, facts) below the table: no controls; the table may carry colour codes
    return "\n".join(drawn + [printable(clip(line, LINE_WIDTH)) for line in lines]) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(view: View, title: str = "lab compare-all") -> str:
    """The full report: environments, the verdict matrix with claim texts, every difference."""
    records, cols, rows, problems, facts = view.records, view.cols, view.rows, view.problems, view.facts
    out = [f"# {title}", "", "## Environments", "", "| env | TensorFlow | Keras | numpy | Python | status |",
           "|---|---|---|---|---|---|"]
    for env in dict.fromkeys(e for e, _ in cols):
        f = facts.get(env, {})
        keras = f"{f.get('keras', '?')} ({f.get('keras_package', '?')})"
        status = f"FAILED: {_md_escape(problems[env])}" if problems.get(env) else "ok"
        out.append(f"| {env} | {f.get('tensorflow', '?')} | {keras} | {f.get('numpy', '?')} | "
                   f"{f.get('python', '?')} | {status} |")
    out += ["", "## Verdicts", "", "| claim | statement | " + " | ".join(f"{e} {m}" for e, m in cols) + " |",
            "|---|---|" + "---|" * len(cols)]
    for row, cells in zip(rows, view.cells):
        out.append(f"| {row.label} | {_md_escape(row.text)} | " + " | ".join(cells) + " |")
    for title_, lines in (("Graph and eager disagree", [str(g) for g in view.gaps]),
                          ("Verdicts that change between environments", view.verdict_drift),
                          ("Observations that change between environments", view.observation_drift)):
        out += ["", f"## {title_}", ""]
        out += [f"- {_md_escape(line)}" for line in lines] or ["None."]
    diffs = view.emulation
    if diffs:
        out += ["", f"## The compat.v1 emulation against real TF1 ({diffs[0].real_env})", "",
                "The graph twins in each TF 2 environment beside the same twins on real TensorFlow 1.", "",
                "### Verdicts and statuses that differ", ""]
        out += [f"- {_md_escape(line)}" for line in emulation.verdict_lines(diffs)] or ["None."]
        out += ["", "### Observations that differ", ""]
        out += [f"- {_md_escape(line)}" for line in emulation.grouped(
            [d for d in diffs if d.kind == "observation"])] or ["None."]
    order = view.order
    unfinished = sorted((r for r in records if not r.ok), key=lambda r: order.index(r.env))
    if unfinished:
        out += ["", "## Trials that did not finish", ""]
        out += [f"- {r.env} {r.scenario} [{r.mode}] {r.status}: {_md_escape((r.error or {}).get('message', ''))}"
                for r in unfinished]
    return printable("\n".join(out) + "\n")  # guest text: no controls


def _case(suite: ET.Element, counts: Dict[str, int], classname: str, name: str, record: Optional[Record],
          found: Sequence[Change], properties: Mapping[str, str]) -> None:
    """One test case: failed by its baseline changes, else errored or skipped by its trial's status."""
    node = ET.SubElement(suite, "testcase", classname=classname, name=name)
    props = ET.SubElement(node, "properties")
    for key, value in properties.items():
        ET.SubElement(props, "property", name=key, value=value[:1000])
    counts["tests"] += 1
    if found:
        counts["failures"] += 1
        failure = ET.SubElement(node, "failure", type="baseline", message=f"{len(found)} changed against the baseline")
        failure.text = "\n".join(str(c) for c in found)
    elif record is not None and record.failed:
        counts["errors"] += 1
        ET.SubElement(node, "error", type=record.status.value, message=(record.error or {}).get("message", ""))
    elif record is not None and record.status is Status.NOT_APPLICABLE:
        counts["skipped"] += 1
        ET.SubElement(node, "skipped", message=(record.error or {}).get("message", "not applicable"))


def junit(view: View, changes: Optional[Sequence[Change]] = None) -> str:
    """JUnit XML for CI: a suite per env, a case per trial (its status and observations) and
    per claim and mode. A verdict is a finding, not a failure: it goes in the case's
    <properties>. A case fails only when it differs from the baseline (`changes`, when the run
    was checked against one), errs when its trial did not finish (raised, crashed, timed out),
    and is skipped when the twin cannot apply in that environment."""
    changed: Dict[Tuple[str, str, str, str], List[Change]] = {}
    for c in changes or ():
        # A trial's observations, status and error are one case; a verdict is its claim's case.
        key = c.key if c.kind in ("verdict", "claim") else ""
        changed.setdefault((c.env, c.scenario, c.mode, key), []).append(c)
    suites = ET.Element("testsuites", name="lab")
    records, judgements, order = view.records, view.judgements, view.order
    for env in order + sorted({c.env for c in changes or ()} - set(order)):  # a baseline env that did not run
        mine = [r for r in records if r.env == env]
        suite = ET.SubElement(suites, "testsuite", name=env)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

        facts = next((r.facts for r in mine if r.facts), {})
        case = functools.partial(_case, suite, counts)
        case(env, "environment", None, changed.get((env, "", "", ""), []),  # its versions; or not run at all
             {k: str(facts.get(k, "?")) for k in ("tensorflow", "keras", "numpy", "python")})
        for r in mine:
            mode = r.mode.value
            case(f"{env}.{r.scenario}", f"[{mode}] trial", r,
                 changed.get((env, r.scenario, mode, ""), []) + changed.get((env, r.scenario, "", ""), []),
                 {"status": r.status.value, "observations": str(len(r.observations))})
            for j in (j for j in judgements if j.env == env and j.scenario == r.scenario and j.mode is r.mode):
                evidence = "; ".join(f"{k}={show(v)}" for k, v in j.evidence.items())
                case(f"{env}.{r.scenario}", f"#{j.claim} [{mode}] {j.text}", r,
                     changed.get((env, r.scenario, mode, f"#{j.claim}"), [])
                     + changed.get((env, r.scenario, "", f"#{j.claim}"), []),
                     {"verdict": j.verdict.value, "evidence": evidence, **({"reason": j.reason} if j.reason else {})})
        for key, value in counts.items():
            suite.set(key, str(value))
    ET.indent(suites)
    # Guest text (a twin's error message) may hold what XML cannot: a strict parser must read the file.
    return xml_safe(ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n")

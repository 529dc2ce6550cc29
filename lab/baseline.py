"""A committed baseline of records and verdicts, and what changed against it, with tolerance."""

from __future__ import annotations

import collections
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from lab import atomic
from lab.errors import ExitCode, UsageError
from lab.record import Record, Status
from lab.schemas import problem
from lab.values import clip, show
from lab.verdict import Judgement

FORMAT = 1
# Only what defines an environment's software; image ids, machine and timings differ between
# machines that run the same environment, so a baseline holding them would never match.
FACTS = ("tensorflow", "keras", "keras_package", "numpy", "python")
HOW_TO_UPDATE = "--update-baseline (or 'lab check RESULTS --baseline FILE --update')"
ABOUT = f"lab baseline: records and verdicts per env; regenerate with {HOW_TO_UPDATE}, never by hand"
_ABSENT = object()
# Floats agree within these (math.isclose); a bisection by observation compares with them too.
REL_TOL = 1e-6
ABS_TOL = 1e-9
Difference = Tuple[str, Any, Any]  # (where inside the value, old, new)


@dataclass(frozen=True)
class Change:
    """One difference between a baseline and a run."""

    env: str
    """The environment it is in."""
    scenario: str
    """The scenario id; empty for an env-level change."""
    mode: str
    """'graph' or 'eager'; empty for an env- or scenario-level change."""
    kind: str
    """What changed: env, fact, trial, seed, status, error, observation, claim or verdict."""
    key: str
    """The observation key, claim number ('#4'), fact name; empty where kind says it all."""
    old: str
    """The baseline's side, readable ('(absent)' when only the run has it)."""
    new: str
    """The run's side, readable ('(absent)' when only the baseline has it)."""
    detail: str = ""
    """More to know: where a value first differs when its short form hides it; a claim's text."""

    def __str__(self) -> str:
        where = " ".join(p for p in (f"[{self.mode}]" if self.mode else "", self.kind, self.key) if p)
        return f"{where}: {self.old} -> {self.new}" + (f" ({self.detail})" if self.detail else "")


def _facts(records: Sequence[Record], env: str) -> Dict[str, Any]:
    for r in records:
        if r.env == env and r.facts:
            return {k: r.facts.get(k) for k in FACTS}
    return {}  # an env that never started has no facts; its statuses say so


def _trial(r: Record) -> Dict[str, Any]:
    # An errored twin's exception is what TensorFlow did; a crash, timeout or not_run message
    # describes the machine (stderr tail, Docker's words), so only its status is kept.
    error = r.error if r.status in (Status.ERROR, Status.NOT_APPLICABLE) else None
    return {"seed": r.seed, "status": r.status, "error": error, "observations": r.observations}


def make_baseline(records: Sequence[Record], judgements: Sequence[Judgement]) -> Dict[str, Any]:
    """The baseline of a run: per env its versions, per scenario its trials and claims' verdicts."""
    envs: Dict[str, Any] = {}

    def scenario(env: str, sid: str) -> Dict[str, Any]:
        entry = envs.setdefault(env, {"facts": _facts(records, env), "scenarios": {}})
        return entry["scenarios"].setdefault(sid, {"claims": {}, "trials": {}})

    for r in records:
        scenario(r.env, r.scenario)["trials"][r.mode] = _trial(r)
    for j in judgements:
        claim = scenario(j.env, j.scenario)["claims"].setdefault(str(j.claim), {"text": j.text, "verdicts": {}})
        claim["verdicts"][j.mode] = j.verdict.value
    # JSON keys are strings: claims as a list in number order read better than "1", "10", "2".
    for s in (s for env in envs.values() for s in env["scenarios"].values()):
        s["claims"] = [{"claim": int(n), **c} for n, c in sorted(s["claims"].items(), key=lambda kv: int(kv[0]))]
    return {"about": ABOUT, "format": FORMAT, "envs": envs}


def write_baseline(path: Path, records: Sequence[Record], judgements: Sequence[Judgement]) -> Dict[str, Any]:
    """Write the run's baseline to `path` (byte-identical for identical runs); returns it."""
    baseline = make_baseline(records, judgements)
    atomic.write_text(path, json.dumps(baseline, indent=1, sort_keys=True) + "\n")  # the old one, or the new
    return baseline


def load_baseline(path: Path) -> Dict[str, Any]:
    """A baseline file; a missing or malformed one is a one-line UsageError saying how to make it."""
    if not path.is_file():
        raise UsageError(f"no baseline file {path}: create it with {HOW_TO_UPDATE}")
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        why = str(exc).splitlines()[0]
        raise UsageError(f"baseline {path} is not JSON ({why}); recreate it with {HOW_TO_UPDATE}") from None
    found = problem(data, "baseline")
    if found:
        raise UsageError(f"baseline {path} is malformed ({found}); recreate it with {HOW_TO_UPDATE}")
    return data


def first_difference(old: Any, new: Any, rel_tol: float, abs_tol: float, at: str = "") -> Optional[Difference]:
    """(where, old, new) of the first difference beyond tolerance, or None. Floats compare with
    rel_tol/abs_tol, elementwise through lists; everything else (strings, ints, bools, shapes,
    dtypes, exception types and messages) compares exactly."""
    if isinstance(old, (int, float)) and isinstance(new, (int, float)) and bool not in (type(old), type(new)):
        exact = isinstance(old, int) and isinstance(new, int)
        same = old == new if exact else math.isclose(old, new, rel_tol=rel_tol, abs_tol=abs_tol)
        return None if same else (at, old, new)
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        pairs = [(f"{at}[{i}]", o, n) for i, (o, n) in enumerate(zip(old, new))]
    elif isinstance(old, dict) and isinstance(new, dict):
        # A large tensor's digest hashes its exact bytes: a last-bit float difference (another
        # CPU's vector width, another summation order) changes it while every value stays
        # within tolerance. Its summary statistics, compared with tolerance, are the evidence;
        # the price is that a reordering of the same values goes unnoticed.
        skip = {"digest"} if "summary" in old and "summary" in new else set()
        pairs = [(f"{at}.{k}" if at else k, old.get(k, _ABSENT), new.get(k, _ABSENT))
                 for k in sorted((set(old) | set(new)) - skip)]
    else:
        return None if type(old) is type(new) and old == new else (at, old, new)
    for where, o, n in pairs:
        found = first_difference(o, n, rel_tol, abs_tol, where)  # _ABSENT differs from anything
        if found:
            return found
    return None


def _shown(value: Any) -> str:
    return "(absent)" if value is _ABSENT else show(value)


def _repr(value: Any) -> str:
    # A value one side lacks reads as such, not as the sentinel object's address.
    return "(absent)" if value is _ABSENT else clip(repr(value), 200)


def _plain(value: Any) -> str:
    if isinstance(value, dict):  # a record's error
        return f"{value.get('type', '')}: {value.get('message', '')}"
    return "(absent)" if value is None else str(value)


def _trial_changes(env: str, sid: str, mode: str, old: Dict[str, Any], new: Dict[str, Any],
                   tol: Tuple[float, float]) -> List[Change]:
    out = []
    for field_ in ("seed", "status", "error"):
        o, n = old.get(field_), new.get(field_)
        if o != n:
            out.append(Change(env, sid, mode, field_, "", _plain(o), _plain(n)))
    o_obs, n_obs = old.get("observations", {}), new.get("observations", {})
    for key in sorted(set(o_obs) | set(n_obs)):
        o, n = o_obs.get(key, _ABSENT), n_obs.get(key, _ABSENT)
        found = first_difference(o, n, *tol)
        if found:
            old_text, new_text = _shown(o), _shown(n)
            # The short forms show six values; say where a longer value differs when they hide it.
            hidden = found[0] and (old_text == new_text or "..." in old_text + new_text)
            detail = (f"first difference at {found[0]}: {_repr(found[1])} -> {_repr(found[2])}"
                      if hidden else "")
            out.append(Change(env, sid, mode, "observation", key, old_text, new_text, detail))
    return out


def _claim_changes(env: str, sid: str, old: List[Dict[str, Any]], new: List[Dict[str, Any]],
                   both: Sequence[str]) -> List[Change]:
    out = []
    o_by, n_by = {c["claim"]: c for c in old}, {c["claim"]: c for c in new}
    for number in sorted(set(o_by) | set(n_by)):
        o, n, key = o_by.get(number), n_by.get(number), f"#{number}"
        if o is None or n is None or o["text"] != n["text"]:
            out.append(Change(env, sid, "", "claim", key, repr(o["text"]) if o else "(absent)",
                              repr(n["text"]) if n else "(absent)"))
        if o is None or n is None:
            continue
        # A trial on one side only is one change already, not one more per claim.
        for mode in sorted((set(o["verdicts"]) | set(n["verdicts"])) & set(both)):
            ov, nv = o["verdicts"].get(mode, "(absent)"), n["verdicts"].get(mode, "(absent)")
            if ov != nv:
                out.append(Change(env, sid, mode, "verdict", key, ov, nv, repr(n["text"])))
    return out


def _env_changes(env: str, old: Dict[str, Any], new: Dict[str, Any], tol: Tuple[float, float]) -> List[Change]:
    out = []
    if old["facts"] and new["facts"]:  # an env that did not start has no facts; statuses report it
        out += [Change(env, "", "", "fact", k, str(old["facts"].get(k)), str(new["facts"].get(k)))
                for k in sorted(set(old["facts"]) | set(new["facts"])) if old["facts"].get(k) != new["facts"].get(k)]
    o_sc, n_sc = old["scenarios"], new["scenarios"]
    for sid in sorted(set(o_sc) | set(n_sc)):
        o, n = o_sc.get(sid, {"claims": [], "trials": {}}), n_sc.get(sid, {"claims": [], "trials": {}})
        for mode in sorted(set(o["trials"]) | set(n["trials"])):
            if mode not in o["trials"] or mode not in n["trials"]:
                out.append(Change(env, sid, mode, "trial", "", "in the baseline" if mode in o["trials"] else
                                  "not in the baseline", "run" if mode in n["trials"] else "not run"))
            else:
                out += _trial_changes(env, sid, mode, o["trials"][mode], n["trials"][mode], tol)
        out += _claim_changes(env, sid, o["claims"], n["claims"], [m for m in o["trials"] if m in n["trials"]])
    return out


def diff_baseline(baseline: Dict[str, Any], records: Sequence[Record], judgements: Sequence[Judgement],
                  rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL, require_all_envs: bool = False) -> List[Change]:
    """Every change of the run against the baseline, in env, scenario, mode order.

    Envs the run has and the baseline lacks are changes. Envs the baseline has and the run
    lacks are changes only with `require_all_envs`: by default a CI job that runs one env
    checks its own slice of a baseline that holds every env."""
    old_envs, new_envs = baseline["envs"], make_baseline(records, judgements)["envs"]
    out: List[Change] = []
    for env in sorted(set(old_envs) | set(new_envs)):
        if env not in new_envs:
            if require_all_envs:
                out.append(Change(env, "", "", "env", "", "in the baseline", "not run"))
        elif env not in old_envs:
            out.append(Change(env, "", "", "env", "", "not in the baseline", "run"))
        else:
            out += _env_changes(env, old_envs[env], new_envs[env], (rel_tol, abs_tol))
    return out


def render_changes(changes: Sequence[Change]) -> str:
    """One line per change under an 'env scenario:' heading, then a summary line."""
    if not changes:
        return "no changes against the baseline\n"
    lines: List[str] = []
    for heading, group in itertools.groupby(changes, key=lambda c: f"{c.env} {c.scenario}".strip() + ":"):
        lines += [heading, *(f"  {c}" for c in group)]
    counts = collections.Counter(c.kind for c in changes)
    kinds = ", ".join(f"{n} {k}{'' if n == 1 else 'es' if k.endswith('s') else 's'}" for k, n in sorted(counts.items()))
    lines.append(f"{len(changes)} change{'s' if len(changes) != 1 else ''} against the baseline ({kinds}); "
                 f"if intended, accept them with {HOW_TO_UPDATE}")
    return "\n".join(lines) + "\n"


class Checked(NamedTuple):
    """What a baseline check found."""

    text: str
    """What to print."""
    code: int
    """0 when nothing changed or the baseline was rewritten, ExitCode.BASELINE_CHANGED otherwise."""
    changes: List[Change]
    """Every change (none after an update), for the JUnit report."""


def check_results(records: Sequence[Record], judgements: Sequence[Judgement], baseline_path: Path,
                  update: bool, require_all_envs: bool = False) -> Checked:
    """Compare the run with the baseline file, or rewrite it from the run (`update`)."""
    if not update:
        changes = diff_baseline(load_baseline(baseline_path), records, judgements, require_all_envs=require_all_envs)
        return Checked(render_changes(changes), ExitCode.BASELINE_CHANGED if changes else ExitCode.OK, changes)
    try:
        old_envs = set(load_baseline(baseline_path)["envs"])
    except UsageError:  # no baseline yet, or a broken one: updating is how to repair it
        old_envs = set()
    new = write_baseline(baseline_path, records, judgements)
    dropped = sorted(old_envs - set(new["envs"]))
    trials = sum(len(s["trials"]) for e in new["envs"].values() for s in e["scenarios"].values())
    note = f"; dropped envs this run did not have: {', '.join(dropped)}" if dropped else ""
    return Checked(f"baseline {baseline_path} written: {trials} trials in {', '.join(sorted(new['envs']))}{note}\n",
                   0, [])

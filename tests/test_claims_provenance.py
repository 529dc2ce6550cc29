"""Where each claim's verdict comes from: its deciding observations and the twin code that records them.

A claim's deciding observations are those its judgements read on the committed baseline (every
matrix env, both modes): the predicate's and its premise's. Each is traced, by reading the
scenario modules, to the `obs.record(...)` or `obs.catch(...)` in the twin, or in a helper the
twin calls, that records it. tests/golden/claims-provenance.txt lists them all (rewrite it with
`pytest --update-golden`). A claim that quotes the article is decided by the article's own code:
no scenario made from an article example uses an API some variant declares as a substitute,
unless it declares it too (docs/claims.md).
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import re
from pathlib import Path
from typing import Dict, Iterable, List, Set, Tuple

import pytest

from lab.guest.catalog import Mode, Scenario
from lab.judge import judge_claim
from lab.record import Record
from lab.scenario import load_scenarios

BASELINE = Path(__file__).parent.parent / "baselines" / "compare-all.json"
GOLDEN = Path(__file__).parent / "golden" / "claims-provenance.txt"
SCENARIOS = load_scenarios()
Function = Tuple[Path, str]  # (module file, qualified name)


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), str(path))


@functools.cache
def _defs(path: Path) -> Dict[str, ast.AST]:
    """Top-level functions and class methods of a module, by qualified name."""
    out: Dict[str, ast.AST] = {}
    for node in _tree(path).body:
        if isinstance(node, ast.FunctionDef):
            out[node.name] = node
        elif isinstance(node, ast.ClassDef):
            out.update({f"{node.name}.{f.name}": f for f in node.body if isinstance(f, ast.FunctionDef)})
    return out


def _imported(path: Path) -> Dict[str, Path]:
    """Names a module imports from the helper modules beside it (`from _a000_loops import graph_loop`)."""
    out = {}
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module and (path.parent / f"{node.module}.py").is_file():
            out.update({alias.name: path.parent / f"{node.module}.py" for alias in node.names})
    return out


def reachable(path: Path, qualname: str) -> List[Function]:
    """The function and every module-level function it (transitively) names, in its module or a helper."""
    seen: List[Function] = []
    todo = [(path, qualname)]
    while todo:
        where, name = todo.pop()
        if (where, name) in seen or name not in _defs(where):
            continue
        seen.append((where, name))
        imported = _imported(where)
        todo.extend((where, node.id) if node.id in _defs(where) else (imported.get(node.id, where), node.id)
                    for node in ast.walk(_defs(where)[name])
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load))
    return seen


def _key_pattern(node: ast.AST) -> str:
    """A regex for the key an obs.record/obs.catch argument makes: f"weight_{k}" -> weight_.+"""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(re.escape(v.value) if isinstance(v, ast.Constant) else ".+" for v in node.values)
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        return re.escape(str(node.args[0].value)) + ".*"  # a helper that names keys from a prefix: _key("bias", s)
    return ANY  # a key computed otherwise: any key, from this line


ANY = ".+"


def _spelled(pattern: str) -> int:
    return len(pattern.replace(".+", "").replace(".*", ""))


def recorders(functions: Iterable[Function]) -> List[Tuple[str, str]]:
    """(key regex, 'module.function: code') for every obs.record / obs.catch in the functions."""
    out = []
    for path, name in functions:
        source = path.read_text()
        for node in ast.walk(_defs(path)[name]):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args
                    and node.func.attr in ("record", "catch") and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "obs"):
                code = " ".join((ast.get_source_segment(source, node) or "").split())
                out.append((_key_pattern(node.args[0]), f"{path.stem}.{name}: {code}"))
    return out


def twin_functions(scenario: Scenario, mode: Mode) -> List[Function]:
    twin = scenario.twins[mode]
    return reachable(Path(inspect.getsourcefile(twin) or ""), twin.__qualname__)


@functools.cache
def deciding() -> Dict[Tuple[str, int, str], Set[str]]:
    """(scenario, claim, mode) -> the observations its judgements read on the baseline's finished records."""
    out: Dict[Tuple[str, int, str], Set[str]] = {}
    for env, entry in json.loads(BASELINE.read_text())["envs"].items():
        for sid, scenario in entry["scenarios"].items():
            for mode, trial in scenario["trials"].items():
                record = Record(sid, mode, env, trial["seed"], trial["status"], trial["observations"])
                if record.ok:
                    for i, claim in enumerate(SCENARIOS[sid].claims, 1):
                        out.setdefault((sid, i, mode), set()).update(judge_claim(i, claim, record).evidence)
    return out


def provenance(sid: str, index: int, mode: Mode) -> Dict[str, List[str]]:
    """Each deciding observation of the claim in that mode -> the twin code lines that record it."""
    found = recorders(twin_functions(SCENARIOS[sid], mode))
    out = {}
    for key in sorted(deciding().get((sid, index, mode.value), ())):
        matched = [(pattern, code) for pattern, code in found if re.fullmatch(pattern, key)]
        # The line that spells most of the key names it: "call_error" over f"{weight}_error" over any key.
        best = max((_spelled(pattern) for pattern, _ in matched), default=0)
        out[key] = sorted({code for pattern, code in matched if _spelled(pattern) == best})
    return out


CLAIMS = [(sid, i) for sid, s in sorted(SCENARIOS.items()) for i in range(1, len(s.claims) + 1)]


@pytest.mark.parametrize(("sid", "index"), CLAIMS, ids=[f"{sid}#{i}" for sid, i in CLAIMS])
def test_every_deciding_observation_comes_from_code_in_that_modes_twin(sid: str, index: int) -> None:
    claim = SCENARIOS[sid].claims[index - 1]
    modes = [m for m in Mode if not claim.not_applicable(m.value)]
    traced = {m: provenance(sid, index, m) for m in modes}
    assert any(traced.values()), f"{sid} #{index}: no observation decides it on any finished baseline record"
    untraced = {m.value: key for m, keys in traced.items() for key, code in keys.items() if not code}
    assert not untraced, f"{sid} #{index}: no twin code records {untraced}"


def _natural(key: str) -> List[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key)]


def listing() -> str:
    lines = []
    for sid, index in CLAIMS:
        claim = SCENARIOS[sid].claims[index - 1]
        lines.append(f"{sid} #{index}: {claim.text}")
        if claim.premise is not None:
            lines.append(f"  premise: {claim.premise.text}")
        for mode in Mode:
            if claim.not_applicable(mode.value):
                lines.append(f"  {mode.value}: not applicable ({claim.why})")
                continue
            by_code: Dict[Tuple[str, ...], List[str]] = {}
            for key, code in provenance(sid, index, mode).items():
                by_code.setdefault(tuple(code), []).append(key)
            for code, keys in by_code.items():
                lines.append(f"  {mode.value} {', '.join(sorted(keys, key=_natural))} <- " + " | ".join(code))
    return "\n".join(lines) + "\n"


def test_the_listing_of_deciding_observations_and_their_code_is_the_committed_one(update_golden: bool) -> None:
    text = listing()
    if update_golden:
        GOLDEN.write_text(text)
    assert GOLDEN.read_text() == text, ("a claim's deciding observations or their code changed: review, then "
                                        "pytest tests/test_claims_provenance.py --update-golden")


def substitute_uses(scenario: Scenario, substitutes: Iterable[str]) -> Set[str]:
    """The substitute APIs that the scenario's twins, or helpers they call, name."""
    wanted = tuple(substitutes)
    used = set()
    for mode in Mode:
        for path, name in twin_functions(scenario, mode):
            for node in ast.walk(_defs(path)[name]):
                if isinstance(node, ast.Attribute):
                    dotted = ast.unparse(node)
                    used |= {s for s in wanted if dotted == s or dotted.startswith(s + ".")}
    return used


SUBSTITUTES = sorted({api for s in SCENARIOS.values() for api in s.substitutes})
FROM_EXAMPLES = sorted(sid for sid, s in SCENARIOS.items() if "Example" in s.source.example)


def test_the_catalog_declares_substitutes_and_the_article_examples_make_scenarios() -> None:
    assert {"tf.compat.v1.train.GradientDescentOptimizer", "tf.compat.v1.train.AdamOptimizer"} <= set(SUBSTITUTES)
    assert {"keras-model-graph", "train-loop-sgd", "seed-initializer"} <= set(FROM_EXAMPLES)


@pytest.mark.parametrize("sid", FROM_EXAMPLES)
def test_a_claim_that_quotes_the_article_is_decided_by_the_articles_code_not_a_substitute(sid: str) -> None:
    scenario = SCENARIOS[sid]
    undeclared = substitute_uses(scenario, SUBSTITUTES) - set(scenario.substitutes)
    assert not undeclared, (f"{sid} judges the article's words on {sorted(undeclared)}: put it in a named variant "
                            "(substitutes=[...]) with its own wording")


@pytest.mark.parametrize("sid", sorted(sid for sid, s in SCENARIOS.items() if s.substitutes))
def test_a_variant_uses_every_substitute_it_declares(sid: str) -> None:
    scenario = SCENARIOS[sid]
    assert substitute_uses(scenario, scenario.substitutes) == set(scenario.substitutes)


def test_a_scenario_judged_on_a_substitute_it_does_not_declare_is_caught() -> None:
    import dataclasses

    variant = SCENARIOS["keras-model-compat-optimizer"]
    posing = dataclasses.replace(SCENARIOS["keras-model-graph"], twins=variant.twins, substitutes=())
    assert substitute_uses(posing, SUBSTITUTES) == {"tf.compat.v1.train.GradientDescentOptimizer",
                                                    "tf.compat.v1.layers"}


def test_keras_model_graph_3_is_decided_by_the_articles_adam_in_both_modes() -> None:
    for mode in Mode:
        code = " ".join(c for codes in provenance("keras-model-graph", 3, mode).values() for c in codes)
        assert "obs.record(f\"{weight}_after_step_{step}\"" in code
        functions = {name for _, name in twin_functions(SCENARIOS["keras-model-graph"], mode)}
        assert {"_graph_adam_steps" if mode is Mode.GRAPH else "_eager_adam_steps"} <= functions
        source = inspect.getsource(SCENARIOS["keras-model-graph"].twins[mode])
        assert "tf.compat.v1.train" not in source

"""Results folders read back as Results, and joined when made on different machines (one env or one shard each)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from lab import __version__, atomic, results
from lab.errors import UsageError
from lab.execute import EnvOutcome
from lab.pipeline import Result, judged
from lab.plan import Plan, Trial
from lab.record import SCHEMA_VERSION, Record, env_order
from lab.scenario import Mode, Scenario
from lab.schemas import InvalidData, RecordFormatError, validate
from lab.verbatim.outcome import Outcome
from lab.verbatim.runner import Documents
from lab.verbatim.sources import Found

TrialKey = Tuple[str, str, str]  # (env, scenario, mode)


def read_folder(folder: Path) -> Tuple[List[Record], Dict[str, Any]]:
    """A results folder's records and manifest ({} when it has none, as `lab run --out` makes)."""
    if not folder.is_dir():
        raise UsageError(f"results folder {folder} does not exist")
    records = results.load_records(folder)
    manifest = results.read_manifest(folder)
    if manifest:
        validate(manifest, "manifest", str(folder / results.MANIFEST))
    if not records and not results.has_blocks(folder):
        raise UsageError(f"{folder} holds no records (records/ENV/SCENARIO.MODE.json) and no verbatim.json: "
                         "pass folders made by 'lab compare-all --out' or 'lab verbatim --out'")
    return records, manifest


def read_any_version(folder: Path) -> Tuple[List[Record], Dict[str, Any]]:
    """read_folder, where a folder this lab cannot read says in one line which lab wrote it."""
    try:
        return read_folder(folder)
    except InvalidData as exc:
        written_by = _lab_version(folder)
        if written_by is None or written_by == __version__:
            raise
        what = (f"record format {exc.version!r}, this lab reads {SCHEMA_VERSION}" if isinstance(exc, RecordFormatError)
                else "its files do not fit this lab's schemas")
        raise UsageError(f"{folder} was written by lab {written_by} ({what}): report it with lab {written_by}, "
                         f"or rerun the trials with this lab ({__version__})") from None


def _lab_version(folder: Path) -> Any:
    try:
        return json.loads((folder / results.MANIFEST).read_text()).get("lab_version")
    except (OSError, ValueError, AttributeError):
        return None


def _agreed(lists: Sequence[Sequence[str]], fallback: Sequence[str]) -> List[str]:
    # Per-env CI jobs run one command, so their manifests list scenarios (and modes) in one
    # order: keep it, as compare-all over every env would. Otherwise the catalog's order, so
    # the result never depends on the order the folders were named in.
    first = list(lists[0]) if lists else []
    return first if lists and all(list(x) == first for x in lists) else list(fallback)


def _ordered(records: List[Record], manifests: Sequence[Mapping[str, Any]],
             scenarios: Mapping[str, Scenario]) -> List[Record]:
    envs = env_order(records)
    ids = _agreed([m["scenarios"] for m in manifests if "scenarios" in m], list(scenarios))
    modes = _agreed([m["modes"] for m in manifests if "modes" in m], [m.value for m in Mode])

    def rank(values: List[str], value: str) -> Tuple[int, str]:
        return (values.index(value), "") if value in values else (len(values), value)

    return sorted(records, key=lambda r: (envs.index(r.env), rank(ids, r.scenario), rank(modes, r.mode)))


def _collect(folders: Sequence[Path], scenarios: Mapping[str, Scenario]) -> Tuple[List[Record], List[Any]]:
    seen: Dict[TrialKey, Tuple[Record, Path]] = {}
    manifests = []
    for folder in folders:
        records, manifest = read_folder(folder)
        manifests.append((folder, manifest, sorted({r.env for r in records})))
        for r in records:
            key = (r.env, r.scenario, r.mode)
            if key in seen:
                if seen[key][0].comparable() != r.comparable():
                    raise UsageError(f"{r.env} {r.scenario} [{r.mode}] differs between {seen[key][1]} and {folder}: "
                                     "merge folders whose shared trials agree, or leave one of them out")
                continue
            if r.scenario not in scenarios:
                raise UsageError(f"{folder} has records of scenario {r.scenario!r}, which no longer exists "
                                 "('lab list' shows the current ones); leave that folder out or rerun it")
            seen[key] = (r, folder)
    return [r for r, _ in seen.values()], manifests


def version_warning(inputs: Sequence[Tuple[Path, Mapping[str, Any], Any]]) -> str:
    """One line when the folders were made by different lab versions, else ''."""
    versions = {str(folder): str(m.get("lab_version") or "unknown") for folder, m, _ in inputs}
    if len(set(versions.values())) < 2:
        return ""
    each = ", ".join(f"{folder}: {version}" for folder, version in versions.items())
    return f"the folders were made by different lab versions ({each})"


def shard_problems(inputs: Sequence[Tuple[Path, Mapping[str, Any], Any]]) -> Tuple[str, str]:
    """(refusal, warning) about the shards among the folders (manifest `shard`, lab/shards.py):
    shards of different plans or one shard twice are refused; missing shards are a warning."""
    found = [(folder, m["shard"]) for folder, m, _ in inputs if isinstance(m.get("shard"), dict)]
    if not found:
        return "", ""
    plans = sorted({str(s.get("plan")) for _, s in found})
    if len(plans) > 1:
        return f"the shards come from different plans ({', '.join(plans)}): merge the shards of one 'lab plan'", ""
    seen: Dict[int, Path] = {}
    for folder, s in found:
        if s.get("index") in seen:
            return (f"shard {s.get('index')}/{s.get('count')} is given twice ({seen[s['index']]} and {folder}): "
                    "the shards overlap; leave one out"), ""
        seen[s["index"]] = folder
    count = int(found[0][1].get("count") or 0)
    missing = [str(i) for i in range(1, count + 1) if i not in seen]
    return "", (f"shard(s) {', '.join(missing)} of {count} are missing: their trials are not in the merged results"
                if missing else "")


def merge_blocks(folders: Sequence[Path]) -> Optional[Documents]:
    """The block outcomes of the folders that hold documents (shards, or envs run apart), as one
    run's; None when none does. The same outcome twice is one; from another text of the document, an error."""
    merged: Dict[Tuple[str, int, str, str], Outcome] = {}
    metas = []
    for folder in (f for f in folders if results.has_blocks(f)):
        outcomes, meta = results.read_blocks(folder)
        metas.append(meta)
        for o in outcomes:
            if o.key in merged and merged[o.key].digest != o.digest:
                raise UsageError(f"{folder}: {o.document}#{o.block} was run from another text of the document "
                                 "in another folder; merge results of the same documents")
            merged[o.key] = o
    if not metas:
        return None
    envs = list(dict.fromkeys(e for m in metas for e in m.get("envs", [])))
    variants = list(dict.fromkeys(v for m in metas for v in m.get("variants", [])))
    ordered = sorted(merged.values(), key=lambda o: (o.document, o.block, _index(variants, o.variant),
                                                     _index(envs, o.env)))
    return Documents(Found(), None, tuple(variants), tuple(ordered), tuple(envs))


def _index(items: List[str], item: str) -> int:
    return items.index(item) if item in items else len(items)


def _block_problems(folders: Sequence[Path]) -> Dict[str, str]:
    problems: Dict[str, str] = {}
    for folder in (f for f in folders if results.has_blocks(f)):
        problems.update({k: v for k, v in (results.read_blocks(folder)[1].get("problems") or {}).items() if v})
    return problems


def merge_results(folders: Sequence[Path], out: Path, scenarios: Mapping[str, Scenario],
                  warn: Callable[[str], None] = lambda line: None,
                  allow_mixed_versions: bool = False) -> Tuple[Result, Dict[str, Any]]:
    """One Result from `folders` (to be saved at `out`): records joined, every claim judged again
    with the current scenarios, the manifests' envs joined and each input's commit and lab
    version kept under `merged_from` (the manifest's extra entries, returned beside); documents'
    block outcomes joined. Folders of different lab versions are refused unless
    `allow_mixed_versions` (then a warning), and so are overlapping shards or shards of different plans."""
    if not folders:
        raise UsageError("name at least one results folder to merge")
    if (out / "records").exists() or results.has_blocks(out):
        raise UsageError(f"{out} already holds results; merge into a new folder")
    records, inputs = _collect(folders, scenarios)
    mixed = version_warning(inputs)
    if mixed and not allow_mixed_versions:
        raise UsageError(f"{mixed}: rerun the older ones with this lab, or pass --allow-mixed-versions")
    if mixed:
        warn(f"{mixed}; their records are merged, but rerun the older ones if a change between those versions matters")
    refused, missing = shard_problems(inputs)
    if refused:
        raise UsageError(refused)
    if missing:
        warn(missing)
    seeds = sorted({r.seed for r in records})
    if len(seeds) > 1:
        raise UsageError(f"the folders ran with different seeds ({', '.join(map(str, seeds))}): "
                         "merge runs made with one --seed")
    records = _ordered(records, [m for _, m, _ in inputs], scenarios)
    found: Dict[str, Any] = {}
    for _, manifest, _ in inputs:
        for name, info in manifest.get("envs", {}).items():
            found.setdefault(name, info)
    documents = merge_blocks(folders)
    for name, problem in _block_problems(folders).items():
        found.setdefault(name, {})["problem"] = found.get(name, {}).get("problem") or problem
    order = env_order(records) if records else list(documents.envs if documents else [])
    envs = {**{name: found[name] for name in order if name in found}, **found}  # by TensorFlow version
    # The manifest's own commit and time describe the merging machine; each input's say what
    # produced its records.
    merged_from = [{"folder": str(folder), "envs": names, "lab_version": m.get("lab_version"), "git": m.get("git"),
                    "created": m.get("created")} for folder, m, names in inputs]
    result = saved_result(records, envs, scenarios, documents, seeds[0] if seeds else 1)
    for folder, _, names in inputs:
        for name in names:
            traceback = folder / f"{name}.traceback.txt"
            if traceback.is_file() and not (out / traceback.name).exists():
                atomic.copy(traceback, out / traceback.name)
    return result, {"merged_from": merged_from}


def saved_result(records: Sequence[Record], envs: Mapping[str, Mapping[str, Any]],
                 scenarios: Mapping[str, Scenario], documents: Optional[Documents] = None, seed: int = 1) -> Result:
    """Saved records (and block outcomes) as the pipeline's Result (one outcome per env, its
    problem from the manifest), so a command over saved results exits as one that ran them would."""
    order = env_order(records) if records else list(documents.envs if documents else envs)
    def outcome(name: str) -> EnvOutcome:
        info = dict(envs.get(name, {}))
        description = {k: v for k, v in info.items()
                       if k not in ("problem", "unavailable", "cached_trials", "pip_freeze")}
        return EnvOutcome(name, tuple(r for r in records if r.env == name), description,
                          tuple(str(x) for x in info.get("pip_freeze") or ()), str(info.get("problem") or ""),
                          unavailable=bool(info.get("unavailable")), cached=int(info.get("cached_trials") or 0))

    outcomes = [outcome(name) for name in order]
    trials = tuple(dict.fromkeys(Trial(r.scenario, r.mode, r.seed) for r in records))
    modes = tuple(m for m in Mode if any(r.mode is m for r in records))
    the_plan = Plan(trials, tuple(order), records[0].seed if records else seed, modes)
    return judged(scenarios, the_plan, outcomes, documents=documents)


def read_saved(folder: Path, scenarios: Mapping[str, Scenario]) -> Result:
    """A saved results folder as a Result, every claim judged again with the current scenarios."""
    records, manifest = read_any_version(folder)
    missing = sorted({r.scenario for r in records} - set(scenarios))
    if missing:
        raise UsageError(f"{folder} has records of scenarios that no longer exist: {', '.join(missing)}")
    records = _ordered(records, [manifest] if manifest else [], scenarios)
    envs = dict(manifest.get("envs", {}))
    documents = merge_blocks([folder])
    if documents is not None:
        for name, problem in _block_problems([folder]).items():
            envs.setdefault(name, {})["problem"] = problem
    return saved_result(records, envs, scenarios, documents)

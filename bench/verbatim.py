"""The bench's verbatim section: the fork server against one process per run, and the corpus's pace.

Per environment, with the cache off:
- the marginal cost of one run in each isolation: the articles' blocks as written, once and then in
  `COPIES` copies (each copy's programs differ by a comment, so none is shared or cached); the extra
  wall time over the extra runs leaves out what a workload pays once (the server's start, the
  TensorFlow import of the fork server, the host's planning);
- the whole-workload ratio on the articles in their three variants, and on a shard of the corpus
  (its blocks as examples, each a program: one process per block is what a reader would run);
- the corpus shard in session semantics (the fork chain): notebooks and cells per minute.
Outcomes must agree between the isolations (each outcome's status and error type).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from lab import api
from lab.pipeline import Result
from lab.verbatim.claims import seeds_dir
from lab.verbatim.documents import Document
from lab.verbatim.runner import Settings
from lab.verbatim.sources import gather, parse_shard
from lab.verbatim.variants import Variant

COPIES = {"fork": 4, "process": 2}
"""How many copies of the articles' blocks the larger workload has, per isolation (a process per run is slow)."""
CORPUS_SHARD = "1/16"


def copies(documents: Sequence[Document], count: int) -> List[Document]:
    """`count` copies of the documents, each copy's blocks ending in a comment of its own."""
    return [replace(d, name=f"{d.name} (copy {n})", blocks=tuple(replace(b, text=b.text + f"# bench copy {n}\n")
                                                                for b in d.blocks))
            for n in range(1, count + 1) for d in documents]


def _run(documents: Sequence[Document], env: str, variants: Sequence[Variant], isolation: str,
         semantics: Optional[str] = None) -> Tuple[float, Result]:
    start = time.monotonic()
    work = api.Work(envs=(env,), variants=tuple(v.value for v in variants), of_documents=True, read=tuple(documents))
    settings = Settings(timeout_s=300, repeat=1, isolation=isolation, use_cache=False, semantics=semantics)
    result = api.execute(work, api.Options(use_cache=False, programs=settings))
    return time.monotonic() - start, result


def _runs(result: Result) -> int:
    return sum(1 for o in result.blocks if o.ended)


def _classes(result: Result) -> List[Tuple[Any, ...]]:
    return [(o.document, o.block, o.variant, o.word, (o.error or {}).get("type")) for o in result.blocks]


def marginal(documents: Sequence[Document], env: str, isolation: str) -> Dict[str, Any]:
    """Wall time of the articles once and in copies, and the cost of one more run (after a run that warms
    what a first run pays once: the file cache of the environment's interpreter and packages)."""
    _run(copies(documents, 1), env, [Variant.AS_WRITTEN], isolation)
    small_s, small = _run(copies(documents, 1), env, [Variant.AS_WRITTEN], isolation)
    big_s, big = _run(copies(documents, COPIES[isolation]), env, [Variant.AS_WRITTEN], isolation)
    extra = _runs(big) - _runs(small)
    return {"runs": [_runs(small), _runs(big)], "wall_s": [round(small_s, 2), round(big_s, 2)],
            "per_run_s": round((big_s - small_s) / extra, 4) if extra > 0 else None,
            "child_s": round(sum(o.duration_s for o in big.blocks) / max(1, _runs(big)), 4),
            "classes": _classes(small)}


def whole(documents: Sequence[Document], env: str, variants: Sequence[Variant],
          semantics: Optional[str] = None) -> Dict[str, Any]:
    """One workload in both isolations: wall times, their ratio, and whether the outcomes agree."""
    walls, classes, runs = {}, {}, 0
    for isolation in ("fork", "process"):
        seconds, result = _run(documents, env, variants, isolation, semantics)
        walls[isolation], classes[isolation], runs = round(seconds, 2), _classes(result), _runs(result)
    return {"runs": runs, "fork_s": walls["fork"], "process_s": walls["process"],
            "ratio": round(walls["process"] / walls["fork"], 1) if walls["fork"] else None,
            "same_outcomes": classes["fork"] == classes["process"]}


def pace(documents: Sequence[Document], env: str) -> Dict[str, Any]:
    """The notebooks in session semantics, in the fork chain: notebooks and cells per minute."""
    seconds, result = _run(documents, env, [Variant.AS_WRITTEN], "fork", "session")
    cells = sum(1 for o in result.blocks if o.ended)
    return {"notebooks": len(documents), "cells": cells, "wall_s": round(seconds, 2),
            "notebooks_per_min": round(60 * len(documents) / seconds, 1) if seconds else None,
            "cells_per_min": round(60 * cells / seconds, 1) if seconds else None}


def measure(envs: Sequence[str], folder: Path = Path(), corpus: Optional[Path] = None,
            shard: str = CORPUS_SHARD) -> Dict[str, Any]:
    """Every figure of the section, per environment (`corpus`: the notebooks' folder, if there is one)."""
    articles = gather([folder if folder != Path() else seeds_dir()]).documents
    corpus = corpus if corpus is not None else _corpus()
    notebooks = gather([corpus], parse_shard(shard)).documents if corpus is not None else []
    rows: Dict[str, Any] = {}
    for env in envs:
        fork, process = marginal(articles, env, "fork"), marginal(articles, env, "process")
        row: Dict[str, Any] = {
            "fork": fork, "process": process,
            "per_run_ratio": round(process["per_run_s"] / fork["per_run_s"], 1) if fork["per_run_s"] and
            process["per_run_s"] else None,
            "same_outcomes": fork.pop("classes") == process.pop("classes"),
            "articles": whole(articles, env, list(Variant))}
        if notebooks:
            row["corpus"] = {**whole(notebooks, env, [Variant.AS_WRITTEN], "examples"), "shard": shard,
                             "session": pace(notebooks, env)}
        rows[env] = row
    return rows


def _corpus() -> Optional[Path]:
    for parent in Path(__file__).resolve().parents:
        found = parent / "shared" / "corpus" / "tensorflow-examples"
        if found.is_dir():
            return found
    return None


def render(rows: Dict[str, Any]) -> str:
    lines: List[str] = ["verbatim: the fork server against one process per run (cache off)",
                        (f"{'env':<10} {'one more run: fork':>19} {'process':>9} {'ratio':>7}  "
                         f"{'articles x3 variants: fork':>27} {'process':>9} {'ratio':>6}  same outcomes")]
    for env, row in rows.items():
        f, p, a = row["fork"], row["process"], row["articles"]
        same = "yes" if row["same_outcomes"] and a["same_outcomes"] else "NO"
        lines.append(f"{env:<10} {1000 * f['per_run_s']:>16.0f} ms {1000 * p['per_run_s']:>6.0f} ms "
                     f"{row['per_run_ratio']:>6.1f}x  {a['fork_s']:>25.1f} s {a['process_s']:>7.1f} s "
                     f"{a['ratio']:>5.1f}x  {same}")
        corpus = row.get("corpus")
        if corpus:
            session = corpus["session"]
            lines.append(f"{'':<10} corpus shard {corpus['shard']} ({corpus['runs']} blocks as examples): fork "
                         f"{corpus['fork_s']:.1f} s, process {corpus['process_s']:.1f} s, {corpus['ratio']:.1f}x, "
                         f"same outcomes {'yes' if corpus['same_outcomes'] else 'NO'}; as sessions: "
                         f"{session['notebooks']} notebooks, {session['cells']} cells in {session['wall_s']:.1f} s "
                         f"({session['notebooks_per_min']:.0f} notebooks/min)")
    lines.append("(one more run: the extra wall time of the articles' blocks in copies over the extra runs; "
                 "the fork server's start and TensorFlow import are paid once and left out)")
    return "\n".join(lines) + "\n"

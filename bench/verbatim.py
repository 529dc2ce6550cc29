"""The bench's verbatim section: the fork server against one process per run, side by side.

The same programs (the source articles' blocks, as written, one run each) in the same
environments, first with a child forked from one warm TensorFlow process per run, then with a
new interpreter per run; runs per second and the ratio. Outcomes must agree (statuses compared).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List, Sequence

from lab import api
from lab.verbatim.claims import seeds_dir
from lab.verbatim.runner import Settings


def measure(envs: Sequence[str], folder: Path = Path()) -> Dict[str, Any]:
    """Wall seconds, runs per second and statuses for both isolations, per environment."""
    documents = (folder if folder != Path() else seeds_dir(),)
    rows: Dict[str, Any] = {}
    for env in envs:
        timed: Dict[str, Any] = {}
        for isolation in ("fork", "process"):
            start = time.monotonic()
            work = api.Work(envs=(env,), documents=documents, variants=("as-written",), of_documents=True)
            result = api.execute(work, api.Options(use_cache=False, programs=Settings(300, 1, isolation)))
            seconds = time.monotonic() - start
            ran = [o for o in result.blocks if o.ended]
            timed[isolation] = {"wall_s": round(seconds, 2), "runs": len(ran),
                                "runs_per_s": round(len(ran) / seconds, 3) if seconds else None,
                                "statuses": [o.word for o in result.blocks]}
        fork, process = timed["fork"], timed["process"]
        rows[env] = {**timed, "speedup": round(process["wall_s"] / fork["wall_s"], 2) if fork["wall_s"] else None,
                     "same_outcomes": fork["statuses"] == process["statuses"]}
    return rows


def render(rows: Dict[str, Any]) -> str:
    lines: List[str] = ["verbatim: fork server vs one process per run (the articles' blocks, as written)",
                        f"{'env':<14} {'runs':>5} {'fork s':>8} {'fork runs/s':>12} {'process s':>10} "
                        f"{'process runs/s':>15} {'speedup':>8} same outcomes"]
    for env, row in rows.items():
        f, p = row["fork"], row["process"]
        lines.append(f"{env:<14} {f['runs']:>5} {f['wall_s']:>8.1f} {f['runs_per_s']:>12.2f} {p['wall_s']:>10.1f} "
                     f"{p['runs_per_s']:>15.2f} {row['speedup']:>7.1f}x {'yes' if row['same_outcomes'] else 'NO'}")
    return "\n".join(lines) + "\n"

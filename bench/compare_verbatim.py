"""Two verbatim.json files, outcome by outcome: did a change of the lab change what the documents did?

`python bench/compare_verbatim.py BEFORE/verbatim.json AFTER/verbatim.json` compares, for every
(document, block, variant, env): the status, the error (type, message, the line in the block and
in the program, the block that raised it), the blocks the program joins, the missing names, the
comparison with the shown output, whether it is deterministic, and the printed values and stdout
where both runs call the block deterministic; and every block claim's verdict and reason. Timings,
cache flags, the interpreter's and the scratch folder's paths in warnings are left out, and so are fields only one of
the two files has (a newer lab's additions). Prints the differences (at most 10 of each) and one
summary line; exits 1 when anything differs.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

IGNORED = ("duration_s", "cached", "stdout_bytes", "stderr_bytes", "facts")
Key = Tuple[Any, ...]


def _normal(outcome: Mapping[str, Any]) -> Dict[str, Any]:
    o = {k: v for k, v in outcome.items() if k not in IGNORED}
    stderr = re.sub(r"/\S+/site-packages/", "SITE/", str(o.get("stderr", "")))
    o["stderr"] = re.sub(r"/\S+/(program\.py|cell\d+\.py)", r"\1", stderr)  # the job's scratch folder
    if o.get("deterministic") is False:  # random draws: other numbers on every run
        for k in ("stdout", "values", "match_detail"):
            o.pop(k, None)
    return o


def load(path: str) -> Tuple[Dict[Key, Dict[str, Any]], Dict[Key, Tuple[Any, Any]]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    outcomes = {(o["document"], o["block"], o["variant"], o["env"]): _normal(o) for o in data["outcomes"]}
    verdicts = {(j["document"], j["block"], j["claim"], j["env"], j["variant"]): (j["verdict"], j["reason"])
                for j in data.get("judgements", [])}
    return outcomes, verdicts


def _common(a: Dict[str, Any], b: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Both outcomes reduced to the fields (and error keys) they share."""
    keys = set(a) & set(b)
    a, b = {k: a[k] for k in keys}, {k: b[k] for k in keys}
    if isinstance(a.get("error"), dict) and isinstance(b.get("error"), dict):
        shared = set(a["error"]) & set(b["error"])
        a["error"] = {k: a["error"][k] for k in shared}
        b["error"] = {k: b["error"][k] for k in shared}
    return a, b


def differences(before: str, after: str) -> Tuple[List[str], List[str], int, int]:
    (a, ja), (b, jb) = load(before), load(after)
    lines = []
    for key in sorted(set(a) | set(b), key=str):
        if key not in a or key not in b:
            lines.append(f"{key}: only in {'the second' if key in b else 'the first'}")
            continue
        x, y = _common(a[key], b[key])
        if x != y:
            lines.append(f"{key}: " + ", ".join(f"{f}: {x.get(f)!r} -> {y.get(f)!r}" for f in sorted(x)
                                                if x.get(f) != y.get(f)))
    verdicts = [f"{k}: {ja.get(k)} -> {jb.get(k)}" for k in sorted(set(ja) | set(jb), key=str)
                if ja.get(k) != jb.get(k)]
    return lines, verdicts, len(a), len(ja)


def main(argv: List[str]) -> int:
    if len(argv) != 2:
        print("usage: python bench/compare_verbatim.py BEFORE/verbatim.json AFTER/verbatim.json", file=sys.stderr)
        return 2
    outcomes, verdicts, count, judged = differences(*argv)
    for line in outcomes[:10] + verdicts[:10]:
        print(line)
    print(f"{count} outcomes, {len(outcomes)} differ; {judged} judgements, {len(verdicts)} differ")
    return 1 if outcomes or verdicts else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

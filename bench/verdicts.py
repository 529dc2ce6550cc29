"""Whether two baselines judge alike: every (env, scenario, claim, mode) verdict, compared.

`python bench/verdicts.py OLD.json NEW.json` (OLD may be `git:REV`, the committed baseline at
REV). Observations may differ (a resized draw changes them); this prints each verdict that
differs or is in one baseline only, and exits 1 when there is any, else 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Dict, List, Optional, Tuple

BASELINE = "baselines/compare-all.json"
Key = Tuple[str, str, str, str]


def load(where: str) -> dict:
    if where.startswith("git:"):
        return json.loads(subprocess.run(["git", "show", f"{where[4:]}:{BASELINE}"], capture_output=True,
                                         text=True, check=True).stdout)
    with open(where) as handle:
        return json.load(handle)


def verdicts(baseline: dict) -> Dict[Key, str]:
    return {(env, sid, f"#{claim['claim']}", mode): verdict
            for env, entry in baseline["envs"].items() for sid, scenario in entry["scenarios"].items()
            for claim in scenario["claims"] for mode, verdict in claim["verdicts"].items()}


def differences(old: Dict[Key, str], new: Dict[Key, str]) -> List[str]:
    return [f"{' '.join(key)}: {old.get(key, '(absent)')} -> {new.get(key, '(absent)')}"
            for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]


def main(argv: Optional[List[str]] = None) -> int:
    old_path, new_path = (argv if argv is not None else sys.argv[1:]) or ["git:HEAD", BASELINE]
    old, new = verdicts(load(old_path)), verdicts(load(new_path))
    changed = differences(old, new)
    print("\n".join(changed) if changed else
          f"{len(new)} verdicts ({len({k[0] for k in new})} envs, {len({k[1] for k in new})} scenarios): "
          f"all the same in {old_path} and {new_path}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Print the CI job matrix, {"env": [...], "include": [...]}, read from containers/matrix.toml."""

# usage: python containers/ci_matrix.py [--github-output]
# The env names are written once, in matrix.toml; .github/workflows/matrix.yml builds its
# per-env jobs from this script's output instead of listing them a second time. With
# --github-output the JSON is also appended as `matrix=<json>` to the file $GITHUB_OUTPUT
# names: that is how a GitHub Actions step hands a value to the jobs that need it.

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # runnable from a checkout: lab need not be installed

from lab.environments.declared import load_matrix
from lab.errors import LabError


def ci_matrix(path: Optional[Path] = None) -> Dict[str, List[Any]]:
    """The matrix GitHub's `strategy.matrix` takes: one `env` value per matrix env, in file order,
    and for each `interpreter` env the Python its venv is made from (`include` adds it to that
    env's job, which installs it with setup-python)."""
    envs = load_matrix(path)
    return {"env": [env.name for env in envs],
            "include": [{"env": env.name, "python": env.python} for env in envs if env.kind == "interpreter"]}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--github-output", action="store_true", help="also append matrix=<json> to $GITHUB_OUTPUT")
    args = parser.parse_args(argv)
    try:
        # Compact, one line: a $GITHUB_OUTPUT value ends at the newline.
        text = json.dumps(ci_matrix(), separators=(",", ":"))
    except LabError as exc:  # a malformed matrix.toml: one line that names the env and key
        print(f"ci_matrix.py: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.github_output:
        target = os.environ.get("GITHUB_OUTPUT")
        if not target:
            print("ci_matrix.py: --github-output needs $GITHUB_OUTPUT, which GitHub Actions sets", file=sys.stderr)
            return 2
        with open(target, "a", encoding="utf-8") as out:
            out.write(f"matrix={text}\n")
    print(text)  # in the job log too, so a run shows which envs it fanned out to
    return 0


if __name__ == "__main__":
    sys.exit(main())

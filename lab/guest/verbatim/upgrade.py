"""`python -m lab.guest.verbatim.upgrade --request R --out O`: programs through TensorFlow's tf_upgrade_v2.

Only parses the programs (it never runs them). Writes {"available": bool, "reason": str,
"results": [{"text", "errors"}]}: unavailable where this TensorFlow has no tf_upgrade_v2.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any, Dict, List


def upgrade(texts: List[str]) -> Dict[str, Any]:
    try:
        from tensorflow.tools.compatibility import ast_edits, tf_upgrade_v2
    except Exception as exc:
        return {"available": False, "reason": f"no tf_upgrade_v2 here: {type(exc).__name__}: {exc}"[:300],
                "results": []}
    upgrader = ast_edits.ASTCodeUpgrader(tf_upgrade_v2.TFAPIChangeSpec())
    results = []
    for text in texts:
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                _, new_text, _, errors = upgrader.update_string_pasta(text, "program.py")
            results.append({"text": new_text, "errors": [str(e)[:300] for e in errors][:20]})
        except Exception as exc:  # a program tf_upgrade_v2 cannot parse: the variant is unavailable for it
            results.append({"text": None, "errors": [f"{type(exc).__name__}: {exc}"[:300]]})
    return {"available": True, "reason": "", "results": results}


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.guest.verbatim.upgrade")
    parser.add_argument("--request", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    texts = json.loads(Path(args.request).read_text())["texts"]
    Path(args.out).write_text(json.dumps(upgrade(texts)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

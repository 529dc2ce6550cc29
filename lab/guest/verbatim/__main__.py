"""`python -m lab.guest.verbatim --request R --out RESULTS`: the fork server's entry.

TensorFlow is imported here once, before any op runs; every program then runs in a child
forked from this process (isolation 'fork'), or in a new interpreter (isolation 'process').
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path
from typing import List

from lab.guest.verbatim.server import serve

EXIT_NO_TENSORFLOW = 3


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.guest.verbatim")
    parser.add_argument("--request", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    request = json.loads(Path(args.request).read_text())
    try:
        import numpy  # warm, like TensorFlow
        import tensorflow  # imported once: each forked child starts with it loaded
    except Exception as exc:
        print(f"lab-guest: cannot import tensorflow: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_NO_TENSORFLOW
    facts = {"python": platform.python_version(), "tensorflow": tensorflow.__version__, "numpy": numpy.__version__}
    with open(args.out, "a") as out:
        out.write(json.dumps({"facts": facts}) + "\n")
    with tempfile.TemporaryDirectory(prefix="lab-verbatim-") as work:
        serve(request, args.out, work)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

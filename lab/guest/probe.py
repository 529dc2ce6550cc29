"""`python -m lab.guest.probe [--out FILE]`: import TensorFlow and numpy, report their versions as one JSON object."""

from __future__ import annotations

import argparse
import json
import platform
import sys
from typing import Any, Dict, List, Optional

from lab.guest.facts import keras_facts

EXIT_NO_TENSORFLOW = 3


def versions() -> Dict[str, Any]:
    """Python, TensorFlow, numpy and tf.keras as this interpreter sees them (imports TensorFlow)."""
    import numpy
    import tensorflow as tf

    found: Dict[str, Any] = {"python": platform.python_version(), "tensorflow": tf.__version__,
                             "numpy": numpy.__version__}
    found.update(keras_facts(tf))
    return found


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.guest.probe", description=__doc__)
    parser.add_argument("--out", help="write the JSON object to this file instead of stdout")
    args = parser.parse_args(argv)
    try:
        found = versions()
    except Exception as exc:
        print(f"lab-probe: cannot import tensorflow and numpy: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_NO_TENSORFLOW
    # Compact and on one line: a reader may take the last line of the output.
    text = json.dumps(found, sort_keys=True, separators=(",", ":"))
    if args.out:
        with open(args.out, "w") as out:
            out.write(text + "\n")
    else:
        print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

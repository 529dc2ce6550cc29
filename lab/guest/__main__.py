"""The entry that runs inside an environment: `python -m lab.guest --request R --out RECORDS`.

It imports TensorFlow once, runs the requested trials in order, and writes one JSON line per
trial, flushed at once, so a crash later keeps the finished ones. Standard library only (and
TensorFlow), Python 3.7 and up.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

from lab.guest.catalog import Mode, ScenarioError, load_scenarios
from lab.guest.facts import environment_facts, installed_distributions
from lab.guest.observe import exception_value
from lab.guest.trial import STATUS_ERROR, run_trial

EXIT_NO_TENSORFLOW = 3
EXIT_BAD_REQUEST = 2


def _line(index: int, result: Dict[str, Any]) -> str:
    result = dict(result, trial=index)
    try:
        return json.dumps(result)
    except (TypeError, ValueError) as exc:
        # One value JSON cannot hold (an int of 5000 digits) fails this trial, not the batch.
        failed = dict(result, status=STATUS_ERROR, observations={},
                      error={"kind": "exception", "type": "UnserializableObservation",
                             "message": "an observation could not be written as JSON: "
                                        + exception_value(exc)["message"]})
        return json.dumps(failed)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.guest")
    parser.add_argument("--request", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--freeze", help="also write the installed distributions here (for the manifest)")
    parser.add_argument("--only-mode", choices=[m.value for m in Mode], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    request = json.loads(Path(args.request).read_text())
    # Scenario folders are named relative to the shipment: the folder holding this `lab`.
    root = Path(__file__).resolve().parents[2]
    try:
        scenarios = load_scenarios([root / d for d in request["scenario_dirs"]])
    except ScenarioError as exc:
        print(f"lab-guest: {exc}", file=sys.stderr)
        return EXIT_BAD_REQUEST
    try:
        import tensorflow as tf
    except Exception as exc:
        print(f"lab-guest: cannot import tensorflow: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_NO_TENSORFLOW
    # TensorFlow 1 starts in graph mode and can switch to eager execution once, before any
    # graph exists: its eager twins run in a second process of this entry that switches first.
    one_mode_per_process = tf.__version__.startswith("1.")
    if one_mode_per_process and args.only_mode == Mode.EAGER.value:
        tf.compat.v1.enable_eager_execution()
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    if args.freeze:
        Path(args.freeze).write_text("\n".join(installed_distributions()) + "\n")
    facts = environment_facts(tf)
    elsewhere = []
    with open(args.out, "a") as out:
        for index, trial in enumerate(request["trials"]):
            if trial["scenario"] not in scenarios:
                print(f"lab-guest: unknown scenario {trial['scenario']!r}", file=sys.stderr)
                return EXIT_BAD_REQUEST
            if args.only_mode and trial["mode"] != args.only_mode:
                continue
            if one_mode_per_process and not args.only_mode and trial["mode"] == Mode.EAGER.value:
                elsewhere.append(index)
                continue
            # Before each trial, so the host can name the trial a dying process was running.
            print(f"lab-guest: running {trial['scenario']}[{trial['mode']}]", file=sys.stderr, flush=True)
            result = run_trial(tf, scenarios[trial["scenario"]], Mode(trial["mode"]), int(trial["seed"]), facts)
            out.write(_line(index, result) + "\n")
            out.flush()
    if elsewhere:
        # Results carry their trial's index, so the host reads them in any order.
        return subprocess.call([sys.executable, "-m", "lab.guest", "--request", args.request, "--out", args.out,
                                "--only-mode", Mode.EAGER.value])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

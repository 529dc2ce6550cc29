"""The entry that runs inside an environment: imports TensorFlow, runs trials, writes records.

Invoked as `python -m lab.guest --request REQUEST.json --out RECORDS.jsonl`. It is the only
module that imports TensorFlow, and it must stay Python 3.9 compatible (the TF 2.5 image).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List

from lab.observe import STATUS_ERROR, STATUS_OK, Record, Recorder, exception_value
from lab.scenario import ROOT, Mode, Scenario, load_scenarios

EXIT_NO_TENSORFLOW = 3
EXIT_BAD_REQUEST = 2


def _keras_facts(tf: Any) -> Dict[str, Any]:
    # Which package backs tf.keras differs by version: tensorflow.python.keras (TF 2.5),
    # keras 2 (2.6-2.15), keras 3 (2.16+), or tf_keras when TF_USE_LEGACY_KERAS=1.
    try:
        dense = tf.keras.layers.Dense
        package = dense.__module__.split(".")[0]
        version = getattr(sys.modules.get(package), "__version__", None)
        if package == "tensorflow":
            version = getattr(tf.keras, "__version__", None)
        return {"keras": version, "keras_package": package}
    except Exception as exc:  # a broken Keras install is a fact, not a crash
        return {"keras": None, "keras_package": None, "keras_error": exception_value(exc)}


def environment_facts(tf: Any) -> Dict[str, Any]:
    """Facts shared by every trial in this process."""
    import numpy

    facts: Dict[str, Any] = {
        "tensorflow": tf.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "threads": 1,
    }
    facts.update(_keras_facts(tf))
    for var in ("TF_ENABLE_ONEDNN_OPTS", "TF_USE_LEGACY_KERAS"):
        facts[var] = os.environ.get(var)
    return facts


def installed_distributions() -> List[str]:
    """`pip freeze` without pip: every installed distribution as name==version, sorted."""
    import re
    from importlib import metadata

    # PEP 503 names (tensorflow-cpu, not tensorflow_cpu): metadata spells them either way.
    found = {re.sub(r"[-_.]+", "-", d.metadata["Name"] or "?").lower(): d.version for d in metadata.distributions()}
    return sorted(f"{name}=={version}" for name, version in found.items())


def reset_state(tf: Any, seed: int) -> None:
    """Put every global a twin can touch back to a known state, so order never matters."""
    # Keras layer-name counters and global seed generators. Keras 3 also runs Python's garbage
    # collector here unless told not to (~150 ms a call): the state is reset all the same.
    try:
        tf.keras.backend.clear_session(free_memory=False)
    except TypeError:  # Keras 2 takes no argument
        tf.keras.backend.clear_session()
    random.seed(seed)
    import numpy

    numpy.random.seed(seed)
    if hasattr(tf.keras.utils, "set_random_seed"):  # Keras 3 keeps its own seed state
        tf.keras.utils.set_random_seed(seed)
    tf.random.set_seed(seed)  # also resets the eager op-seed counter
    tf.compat.v1.reset_default_graph()


@contextmanager
def graph_mode(tf: Any, seed: int) -> Iterator[None]:
    """A fresh Graph with its seed, and TF1's reference variables.

    TF1 made reference variables; TF2's compat layer makes resource variables unless told
    otherwise. The graph twin stands for TF1 code, so it gets reference variables; the
    setting is restored afterwards so eager trials in the same process are unaffected.
    """
    tf.compat.v1.disable_resource_variables()
    try:
        with tf.Graph().as_default():
            tf.compat.v1.set_random_seed(seed)
            yield
    finally:
        tf.compat.v1.enable_resource_variables()


def run_trial(tf: Any, scenario: Scenario, mode: Mode, seed: int, env: str, facts: Dict[str, Any]) -> Record:
    """Run one twin with fresh state; an exception escaping it becomes the record's status."""
    reset_state(tf, seed)
    obs = Recorder()
    trial_facts = dict(facts)
    status, error = STATUS_OK, None
    start = time.perf_counter()
    try:
        if mode is Mode.GRAPH:
            trial_facts["graph_variables"] = "ref"
            with graph_mode(tf, seed):
                trial_facts["eager"] = tf.executing_eagerly()
                scenario.twin(mode)(tf, obs)
        else:
            trial_facts["eager"] = tf.executing_eagerly()
            scenario.twin(mode)(tf, obs)
    except Exception as exc:  # outcomes are values: a twin's failure is recorded, not raised
        status, error = STATUS_ERROR, exception_value(exc)
    duration = round(time.perf_counter() - start, 6)
    return Record(scenario.id, mode.value, env, seed, status, obs.observations, error, trial_facts, duration)


def _resolve(directory: str) -> Path:
    # Relative directories are relative to the project root, wherever it is mounted.
    path = Path(directory)
    return path if path.is_absolute() else ROOT / path


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.guest")
    parser.add_argument("--request", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--freeze", help="also write the installed distributions here (for the manifest)")
    args = parser.parse_args(argv)
    request = json.loads(Path(args.request).read_text())
    try:
        import tensorflow as tf
    except Exception as exc:
        print(f"lab-guest: cannot import tensorflow: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_NO_TENSORFLOW
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    if args.freeze:
        Path(args.freeze).write_text("\n".join(installed_distributions()) + "\n")
    scenarios = load_scenarios([_resolve(d) for d in request["scenario_dirs"]])
    facts = environment_facts(tf)
    with open(args.out, "a") as out:
        for trial in request["trials"]:
            if trial["scenario"] not in scenarios:
                print(f"lab-guest: unknown scenario {trial['scenario']!r}", file=sys.stderr)
                return EXIT_BAD_REQUEST
            record = run_trial(tf, scenarios[trial["scenario"]], Mode(trial["mode"]), int(trial["seed"]),
                               request["env"], facts)
            # One line per trial, flushed at once: a crash later keeps the finished records.
            out.write(record.to_json() + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""One trial: reset every global a twin can touch, run the twin, and return what it recorded."""

from __future__ import annotations

import random
import re
import time
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional

from lab.guest.catalog import Mode, Scenario
from lab.guest.observe import Recorder, exception_value

STATUS_OK = "ok"
STATUS_ERROR = "error"  # an exception escaped the twin
STATUS_NOT_APPLICABLE = "not_applicable"  # the twin's code uses an API this TensorFlow lacks

_NO_ATTRIBUTE = re.compile(r"^module '(tensorflow(?:_core)?(?:\.[\w.]*)?)' has no attribute '(\w+)'$")
# TensorFlow's public API lives under generated modules (tensorflow._api.v1.random,
# tensorflow.python.keras.api._v1.keras.initializers): what follows the root is the `tf.` name.
_API_ROOT = re.compile(r"\.(?:_api\.v\d+|api\._v\d+)(?:\.|$)")


def missing_api(exc: BaseException) -> Optional[str]:
    """'tf.random.set_seed' when `exc` says this TensorFlow has no such public name, else None."""
    match = _NO_ATTRIBUTE.match(str(exc)) if isinstance(exc, AttributeError) else None
    if match is None:
        return None
    module, name = match.groups()
    parts = _API_ROOT.split(module, maxsplit=1)
    public = parts[1] if len(parts) > 1 else module.partition(".")[2]
    return ".".join(p for p in ("tf", public, name) if p)


def clear_keras_session(tf: Any) -> None:
    """tf.keras.backend.clear_session(): Keras's layer-name counters and global seed generators.

    Keras 3 also runs Python's garbage collector there unless told not to (~150-300 ms a call
    with TensorFlow loaded); the state is reset all the same without it.
    """
    try:
        tf.keras.backend.clear_session(free_memory=False)
    except TypeError:  # Keras 2 takes no argument
        tf.keras.backend.clear_session()


def reset_state(tf: Any, seed: int) -> None:
    """Put every global a twin can touch back to a known state, so order never matters."""
    clear_keras_session(tf)
    random.seed(seed)
    try:
        import numpy

        numpy.random.seed(seed)
    except ImportError:  # numpy comes with TensorFlow; a stand-in for tests may lack it
        pass
    if hasattr(tf.keras.utils, "set_random_seed"):  # Keras 3 keeps its own seed state
        tf.keras.utils.set_random_seed(seed)
    # The global seed; setting it also resets the eager op-seed counter. TF 1.15 has no
    # tf.random.set_seed, and its compat.v1.set_random_seed does the same there (when executing
    # eagerly: the context's seed and a fresh op-seed counter; else the default graph's seed,
    # which graph_mode sets again). TF 2 keeps tf.random.set_seed, so its records do not change.
    if hasattr(tf.random, "set_seed"):
        tf.random.set_seed(seed)
    else:
        tf.compat.v1.set_random_seed(seed)
    tf.compat.v1.reset_default_graph()


@contextmanager
def graph_mode(tf: Any, seed: int) -> Iterator[None]:
    """A fresh Graph with its seed, and TF1's reference variables.

    TF1 made reference variables; TF2's compat layer makes resource variables unless told
    otherwise. The graph twin stands for TF1 code, so it gets reference variables; the
    setting is restored afterwards so eager trials in the same process are unaffected.
    """
    # Put back what was there: TF 2 starts with resource variables on, TF 1 with them off.
    enabled = getattr(tf.compat.v1, "resource_variables_enabled", lambda: True)()
    tf.compat.v1.disable_resource_variables()
    try:
        with tf.Graph().as_default():
            tf.compat.v1.set_random_seed(seed)
            yield
    finally:
        if enabled:
            tf.compat.v1.enable_resource_variables()


def run_trial(tf: Any, scenario: Scenario, mode: Mode, seed: int, facts: Dict[str, Any]) -> Dict[str, Any]:
    """Run one twin with fresh state; an exception escaping it becomes the result's status.

    Returns the trial's result as plain JSON-able data; the host adds what it already knows
    (environment, seed) from its own plan, never from this.
    """
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
        missing = missing_api(exc)
        if missing:  # written for a TensorFlow that has it: its claims cannot be judged here
            status, error = STATUS_NOT_APPLICABLE, dict(error, missing=missing)
    return {"scenario": scenario.id, "mode": mode.value, "status": status, "observations": obs.observations,
            "error": error, "facts": trial_facts, "duration_s": round(time.perf_counter() - start, 6)}

"""Seeding across articles: with the same seeds, do graph and eager draw the same initial values?"""

from _seeds import (
    ARTICLE_000,
    ARTICLE_002,
    CACHED,
    DETERMINISTIC,
    GLOBAL_SEED,
    NO_NODE,
    OP_SEED,
    equal,
    set_global_seed,
)

from lab.guest import Claim, Source, scenario
from lab.guest.predicates import brief, close, runs_to_the_end, value
from lab.guest.trial import clear_keras_session

# Every twin records the same three keys, so the report compares graph and eager draws
# key by key under the same global (and op) seed:
#   first             the first draw of a [5] random normal;
#   second            the same draw run again: graph, the same node run again in the same
#                     Session; eager, the same line executed again (eager has no node to re-run);
#   fresh_start_first the first draw again from a fresh start: graph, the same graph in a new
#                     Session; eager, the global seed set again to the lab's seed, which is how a
#                     TF2 program starts over (the lab sets it before each twin; get_seed reads it).
#
# The lab sets the seeds before every twin: the graph seed (tf.compat.v1.set_random_seed) for
# the graph twin, the global seed (tf.random.set_seed, and Keras's) for the eager twin.


def _line_again(first, second):
    """What the reader sees in eager instead of a node run again: the line executed again."""
    def seen(o):
        drawn = "the same numbers" if close(o[second], o[first]) else "new numbers"
        return f"executing the line again draws {drawn}: {brief(o[second])} after {brief(o[first])}"
    return seen


def _claims():
    return [
        Claim("running the same random node again gives the same values, since its output is cached",
              lambda o: close(o["second"], o["first"]),
              not_in=("eager",), why=NO_NODE, instead=_line_again("first", "second"), quote=CACHED),
        Claim("TensorFlow is deterministic given the same graph and variable state: a fresh start "
              "with the same seeds gives the same values",
              lambda o: close(o["fresh_start_first"], o["first"]), quote=DETERMINISTIC),
    ]


def _eager_fresh_start(tf):
    # Called last: get_seed(None) also advances the op-seed counter, which no later draw sees.
    set_global_seed(tf, tf.compat.v1.get_seed(None)[0])


@scenario(
    "seed-global-only",
    source=Source(ARTICLE_002, "Example 3: Initialization with Random Values"),
    tags=["seeding", "random"],
    claims=_claims(),
)
class SeedGlobalOnly:
    """random_normal([5]) with the lab's global seed only, drawn, drawn again, and from a fresh start."""

    def graph(tf, obs):
        draw = tf.compat.v1.random_normal([5])
        with tf.compat.v1.Session() as sess:
            obs.record("first", sess.run(draw))
            obs.record("second", sess.run(draw))
        with tf.compat.v1.Session() as sess:
            obs.record("fresh_start_first", sess.run(draw))

    def eager(tf, obs):
        obs.record("first", tf.random.normal([5]))
        obs.record("second", tf.random.normal([5]))
        _eager_fresh_start(tf)
        obs.record("fresh_start_first", tf.random.normal([5]))


@scenario(
    "seed-op-seed",
    source=Source(ARTICLE_002, "Example 3: Initialization with Random Values (with an op seed)"),
    tags=["seeding", "random"],
    claims=_claims(),
)
class SeedOpSeed:
    """random_normal([5], seed=7) under the lab's global seed, drawn, drawn again, and from a fresh start."""

    def graph(tf, obs):
        draw = tf.compat.v1.random_normal([5], seed=7)
        with tf.compat.v1.Session() as sess:
            obs.record("first", sess.run(draw))
            obs.record("second", sess.run(draw))
        with tf.compat.v1.Session() as sess:
            obs.record("fresh_start_first", sess.run(draw))

    def eager(tf, obs):
        obs.record("first", tf.random.normal([5], seed=7))
        obs.record("second", tf.random.normal([5], seed=7))
        _eager_fresh_start(tf)
        obs.record("fresh_start_first", tf.random.normal([5], seed=7))


@scenario(
    "seed-initializer",
    source=Source(ARTICLE_000, "Example 2: Observing Variable Persistence (kernel_initializer='random_normal')"),
    tags=["seeding", "random", "initializer", "keras"],
    claims=_claims(),
)
class SeedInitializer:
    """A random-normal initializer (mean 0, stddev 0.05, seed 7) for a [5] weight, called again and afresh."""

    def graph(tf, obs):
        # Keras's 'random_normal' builds graph ops in a tf.Graph (Keras 2 and 3 alike).
        initializer = tf.keras.initializers.RandomNormal(mean=0.0, stddev=0.05, seed=7)
        draw = initializer(shape=[5])
        with tf.compat.v1.Session() as sess:
            obs.record("first", sess.run(draw))
            obs.record("second", sess.run(draw))
        with tf.compat.v1.Session() as sess:
            obs.record("fresh_start_first", sess.run(draw))

    def eager(tf, obs):
        initializer = tf.keras.initializers.RandomNormal(mean=0.0, stddev=0.05, seed=7)
        obs.record("first", initializer(shape=[5]))
        obs.record("second", initializer(shape=[5]))
        _eager_fresh_start(tf)
        initializer = tf.keras.initializers.RandomNormal(mean=0.0, stddev=0.05, seed=7)
        obs.record("fresh_start_first", initializer(shape=[5]))


# --- The article's Example 3 as written ---------------------------------------------------------
# No seed at all: the graph twin builds the article's graph in a tf.Graph of its own (the lab's
# seeded graph set aside), the eager twin clears the global seed the lab set. The draws differ
# from run to run, so a record keeps only whether they agreed: a record must repeat run to run.


def _as_written_claims():
    def same(key):
        return lambda o: value(o[key]) is True

    def line_again(o):
        drawn = "the same numbers" if value(o["second_same_as_first"]) else "new numbers"
        return f"executing the line again draws {drawn}"
    return [
        Claim("running the same random node again gives the same values, since its output is cached",
              same("second_same_as_first"), not_in=("eager",), why=NO_NODE, instead=line_again, quote=CACHED),
        Claim("TensorFlow is deterministic given the same graph and variable state: the example as written, "
              "with no seed, gives the same values from a fresh start",
              same("fresh_start_same_as_first"), quote=DETERMINISTIC),
    ]


@scenario(
    "seed-as-written",
    source=Source(ARTICLE_002, "Example 3: Initialization with Random Values (as written: no seed)"),
    tags=["seeding", "random"],
    claims=_as_written_claims(),
)
class SeedAsWritten:
    """random_normal([5]) with no seed, as the article writes it: drawn, drawn again, and from a fresh start."""

    def graph(tf, obs):
        with tf.Graph().as_default():  # the article's graph has no seed
            draw = tf.compat.v1.random_normal([5])
            with tf.compat.v1.Session() as sess:
                first, second = sess.run(draw), sess.run(draw)
            with tf.compat.v1.Session() as sess:
                fresh_start_first = sess.run(draw)
        obs.record("second_same_as_first", equal(second, first))
        obs.record("fresh_start_same_as_first", equal(fresh_start_first, first))

    def eager(tf, obs):
        set_global_seed(tf, None)  # the article's program sets no seed
        first, second = tf.random.normal([5]).numpy(), tf.random.normal([5]).numpy()
        set_global_seed(tf, None)  # and starts afresh with none
        fresh_start_first = tf.random.normal([5]).numpy()
        obs.record("second_same_as_first", equal(second, first))
        obs.record("fresh_start_same_as_first", equal(fresh_start_first, first))


# --- The seeding table -------------------------------------------------------------------------
# Each configuration draws a [5] random normal in two runs that start afresh the way a program
# does: the graph twin builds a new tf.Graph for each run (with the graph-level seed where the
# configuration has one) and a new Session; the eager twin sets the global seed again (or
# clears it) and Keras' state. `<config>_run_1`, `<config>_run_2`, and `<config>_error` (what a
# run raised). The report compares the runs per configuration, graph with eager, and versions.
# The article's Example 3 as written (`as_written`: no seed) draws other numbers every run, so it
# records only `as_written_same_in_two_runs`.
SEED_CONFIGS = {
    "global_only": (GLOBAL_SEED, None, False),
    "op_only": (None, OP_SEED, False),
    "global_and_op": (GLOBAL_SEED, OP_SEED, False),
    "keras_initializer_seeded": (GLOBAL_SEED, OP_SEED, True),
    "keras_initializer_unseeded": (GLOBAL_SEED, None, True),
    "as_written": (None, None, False),
}


def _draw(tf, op_seed, keras):
    if keras:
        return tf.keras.initializers.RandomNormal(mean=0.0, stddev=1.0, seed=op_seed)(shape=[5])
    return tf.random.normal([5], seed=op_seed)


def _same_runs(config):
    if config == "as_written":
        return lambda o: value(o["as_written_same_in_two_runs"]) is True
    return lambda o: close(o[f"{config}_run_1"], o[f"{config}_run_2"])


def _describe(config):
    global_seed, op_seed, keras = SEED_CONFIGS[config]
    what = "a Keras RandomNormal initializer" if keras else "tf.random.normal"
    seeds = " and ".join(s for s in ("the global seed" if global_seed else "", f"op seed {op_seed}" if op_seed else "")
                         if s) or "no seed (the article's Example 3 as written)"
    return f"{what} with {seeds}"


def _record_runs(obs, config, runs):
    if config == "as_written":
        obs.record("as_written_same_in_two_runs", equal(runs[0], runs[1]))
    else:
        for run, drawn in enumerate(runs, 1):
            obs.record(f"{config}_run_{run}", drawn)


@scenario(
    "seed-table",
    source=Source(ARTICLE_002, "Example 3: Initialization with Random Values (seeds, run twice)"),
    tags=["seeding", "random", "initializer", "keras"],
    claims=[Claim(f"deterministic given the same graph and seeds: {_describe(config)} draws the same values "
                  "in two fresh runs",
                  _same_runs(config), premise=runs_to_the_end(f"{config}_error", f"drawing {_describe(config)} twice"),
                  quote=DETERMINISTIC)
            for config in SEED_CONFIGS],
)
class SeedTable:
    """Global seed, op seed, both, a Keras initializer with and without a seed, no seed at all: two fresh runs each."""

    def graph(tf, obs):
        for config, (global_seed, op_seed, keras) in SEED_CONFIGS.items():
            with obs.catch(f"{config}_error"):
                runs = []
                for _ in (1, 2):
                    with tf.Graph().as_default():
                        if global_seed is not None:
                            tf.compat.v1.set_random_seed(global_seed)
                        draw = _draw(tf, op_seed, keras)
                        with tf.compat.v1.Session() as sess:
                            runs.append(sess.run(draw))
                _record_runs(obs, config, runs)

    def eager(tf, obs):
        for config, (global_seed, op_seed, keras) in SEED_CONFIGS.items():
            with obs.catch(f"{config}_error"):
                runs = []
                for _ in (1, 2):
                    clear_keras_session(tf)  # a fresh start, as a new program has
                    set_global_seed(tf, global_seed)
                    runs.append(_draw(tf, op_seed, keras).numpy())
                _record_runs(obs, config, runs)

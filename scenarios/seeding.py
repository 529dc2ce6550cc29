"""Seeding across articles: with the same seeds, do graph and eager draw the same initial values?"""

from lab.guest import Claim, Source, Undecided, scenario
from lab.guest.predicates import close, raised, raised_message
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

ARTICLE_000 = "000_8efaa3ae04d8cab7.txt"
ARTICLE_002 = "002_47706e3e358c726a.txt"


def _claims():
    return [
        Claim("running the same random node again gives the same values, since its output is cached",
              lambda o: close(o["second"], o["first"]),
              not_in=("eager",), why="eager execution has no node to run again: the line executes anew",
              quote="The initialization operation, fundamentally, is a node in the graph. After it "
                    "executes once, the node's output is cached."),
        Claim("TensorFlow is deterministic given the same graph and variable state: a fresh start "
              "with the same seeds gives the same values",
              lambda o: close(o["fresh_start_first"], o["first"]),
              quote="TensorFlow is designed to be deterministic given the same graph and variable state"),
    ]


def _eager_fresh_start(tf):
    # Called last: get_seed(None) also advances the op-seed counter, which no later draw sees.
    tf.random.set_seed(tf.compat.v1.get_seed(None)[0])


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
        # Keras 3 initializers do not build graph ops; the TF1 counterpart of Keras's
        # 'random_normal' is the compat.v1 initializer, given Keras's defaults explicitly.
        initializer = tf.compat.v1.random_normal_initializer(mean=0.0, stddev=0.05, seed=7)
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


# --- The seeding table -------------------------------------------------------------------------
# Each configuration draws a [5] random normal in two runs that start afresh the way a program
# does: the graph twin builds a new tf.Graph for each run (with the graph-level seed where the
# configuration has one) and a new Session; the eager twin sets the global seed again (or
# clears it) and Keras' state. `<config>_run_1`, `<config>_run_2`, and `<config>_error` (what a
# run raised). The report compares the runs per configuration, graph with eager, and versions.
GLOBAL_SEED, OP_SEED = 11, 7
SEED_CONFIGS = {
    "global_only": (GLOBAL_SEED, None, False),
    "op_only": (None, OP_SEED, False),
    "global_and_op": (GLOBAL_SEED, OP_SEED, False),
    "keras_initializer_seeded": (GLOBAL_SEED, OP_SEED, True),
    "keras_initializer_unseeded": (GLOBAL_SEED, None, True),
}


def _draw(tf, op_seed, keras):
    if keras:
        return tf.keras.initializers.RandomNormal(mean=0.0, stddev=1.0, seed=op_seed)(shape=[5])
    return tf.random.normal([5], seed=op_seed)


def _same_runs(config):
    def check(o):
        if raised(o[f"{config}_error"]):
            return Undecided(f"a run raised {raised_message(o[f'{config}_error'])}")
        return close(o[f"{config}_run_1"], o[f"{config}_run_2"])
    return check


def _describe(config):
    global_seed, op_seed, keras = SEED_CONFIGS[config]
    what = "a Keras RandomNormal initializer" if keras else "tf.random.normal"
    seeds = " and ".join(s for s in ("the global seed" if global_seed else "", f"op seed {op_seed}" if op_seed else "")
                         if s) or "no seed"
    return f"{what} with {seeds}"


@scenario(
    "seed-table",
    source=Source(ARTICLE_002, "Example 3: Initialization with Random Values (seeds, run twice)"),
    tags=["seeding", "random", "initializer", "keras"],
    claims=[Claim(f"deterministic given the same graph and seeds: {_describe(config)} draws the same values "
                  "in two fresh runs",
                  _same_runs(config),
                  quote="TensorFlow is designed to be deterministic given the same graph and variable state")
            for config in SEED_CONFIGS],
)
class SeedTable:
    """Global seed only, op seed only, both, a Keras initializer with and without a seed: two fresh runs each."""

    def graph(tf, obs):
        for config, (global_seed, op_seed, keras) in SEED_CONFIGS.items():
            with obs.catch(f"{config}_error"):
                for run in (1, 2):
                    with tf.Graph().as_default():
                        if global_seed is not None:
                            tf.compat.v1.set_random_seed(global_seed)
                        draw = _draw(tf, op_seed, keras)
                        with tf.compat.v1.Session() as sess:
                            obs.record(f"{config}_run_{run}", sess.run(draw))

    def eager(tf, obs):
        for config, (global_seed, op_seed, keras) in SEED_CONFIGS.items():
            with obs.catch(f"{config}_error"):
                for run in (1, 2):
                    clear_keras_session(tf)  # a fresh start, as a new program has
                    tf.random.set_seed(global_seed)
                    obs.record(f"{config}_run_{run}", _draw(tf, op_seed, keras))

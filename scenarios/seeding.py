"""Seeding across articles: with the same seeds, do graph and eager draw the same initial values?"""

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

ARTICLE_000 = "000_8efaa3ae04d8cab7.txt"
ARTICLE_002 = "002_47706e3e358c726a.txt"
CACHED = ("The initialization operation, fundamentally, is a node in the graph. After it executes once, the "
          "node's output is cached.")
DETERMINISTIC = "TensorFlow is designed to be deterministic given the same graph and variable state"
NO_NODE = "eager execution has no node to run again: the line executes anew"


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


def set_global_seed(tf, seed):
    """The global seed, as a program sets it (None: no seed). Not the articles' code, which sets
    none: TF 1.15 has no tf.random.set_seed, and its tf.compat.v1.set_random_seed sets the eager seed."""
    (getattr(tf.random, "set_seed", None) or tf.compat.v1.set_random_seed)(seed)


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


def _equal(a, b):
    import numpy as np

    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


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
        obs.record("second_same_as_first", _equal(second, first))
        obs.record("fresh_start_same_as_first", _equal(fresh_start_first, first))

    def eager(tf, obs):
        set_global_seed(tf, None)  # the article's program sets no seed
        first, second = tf.random.normal([5]).numpy(), tf.random.normal([5]).numpy()
        set_global_seed(tf, None)  # and starts afresh with none
        fresh_start_first = tf.random.normal([5]).numpy()
        obs.record("second_same_as_first", _equal(second, first))
        obs.record("fresh_start_same_as_first", _equal(fresh_start_first, first))


# --- The seeding table -------------------------------------------------------------------------
# Each configuration draws a [5] random normal in two runs that start afresh the way a program
# does: the graph twin builds a new tf.Graph for each run (with the graph-level seed where the
# configuration has one) and a new Session; the eager twin sets the global seed again (or
# clears it) and Keras' state. `<config>_run_1`, `<config>_run_2`, and `<config>_error` (what a
# run raised). The report compares the runs per configuration, graph with eager, and versions.
# The article's Example 3 as written (`as_written`: no seed) draws other numbers every run, so it
# records only `as_written_same_in_two_runs`.
GLOBAL_SEED, OP_SEED = 11, 7
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
        obs.record("as_written_same_in_two_runs", _equal(runs[0], runs[1]))
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


# --- The same seeds in a graph and eagerly ----------------------------------------------------
# Each configuration draws twice in one program (a second op with the same seeds) and, in the
# eager twin, once more in a tf.Graph with a Session: the same program the TF1 way, so a claim
# about graph and eager is decided inside one twin. A TF1 graph program cannot execute eagerly,
# so in the graph twin `<config>_in_a_graph` is its own first draw and those claims do not apply;
# the report's seeding table puts the two twins' draws side by side, version by version.
# Recorded per configuration: `<config>_first_op`, `<config>_second_op`, `<config>_in_a_graph`
# and `<config>_error`.
ACROSS = {
    "op_only": (None, OP_SEED, "random_normal"),
    "global_only": (GLOBAL_SEED, None, "random_normal"),
    "global_and_op": (GLOBAL_SEED, OP_SEED, "random_normal"),
    "glorot_uniform_seed_1": (None, 1, "glorot_uniform"),
    "keras_random_normal_seeded": (None, OP_SEED, "keras"),
}
ONE_PROGRAM = ("a TF1 graph program cannot execute eagerly, so it has no eager draw to compare: the eager twin's "
               "program draws both ways (eagerly, and in a tf.Graph with a Session)")


def _across_draw(tf, op_seed, kind):
    if kind == "glorot_uniform":
        return tf.compat.v1.glorot_uniform_initializer(seed=op_seed)([4, 3])
    if kind == "keras":
        return tf.keras.initializers.RandomNormal(mean=0.0, stddev=1.0, seed=op_seed)(shape=[5])
    return tf.random.normal([5], seed=op_seed)


def _graph_draws(tf, global_seed, op_seed, kind):
    """The first and a second op with the same seeds, in a new tf.Graph run by a Session."""
    with tf.Graph().as_default():
        if global_seed is not None:
            tf.compat.v1.set_random_seed(global_seed)
        first, second = _across_draw(tf, op_seed, kind), _across_draw(tf, op_seed, kind)
        with tf.compat.v1.Session() as sess:
            return sess.run([first, second])


def _in_graph_and_eager(config, what):
    def seen(o):
        return (f"the graph twin draws {brief(o[f'{config}_first_op'])}; the eager twin's program draws both ways, "
                "and the report's seeding table puts the twins' draws side by side")
    return Claim(f"deterministic given the same seeds: {what} draws the same numbers in a graph and eagerly",
                 lambda o: close(o[f"{config}_first_op"], o[f"{config}_in_a_graph"]),
                 not_in=("graph",), why=ONE_PROGRAM, instead=seen,
                 premise=runs_to_the_end(f"{config}_error", f"drawing {what} both ways"), quote=DETERMINISTIC)


@scenario(
    "seed-across-modes",
    source=Source(ARTICLE_002, "Example 3: Initialization with Random Values (the same seeds, graph and eager)"),
    tags=["seeding", "random", "initializer", "keras"],
    claims=[
        _in_graph_and_eager("op_only", "tf.random.normal with the same op seed alone (seed=7)"),
        _in_graph_and_eager("global_only", "tf.random.normal with the same global seed alone"),
        _in_graph_and_eager("global_and_op", "tf.random.normal with the same global and op seeds"),
        Claim("deterministic given the same graph: a second random op with the same global and op seeds in one "
              "program draws the same numbers as the first",
              lambda o: close(o["global_and_op_second_op"], o["global_and_op_first_op"]),
              premise=runs_to_the_end("global_and_op_error", "drawing with the global and op seeds"),
              quote=DETERMINISTIC),
        _in_graph_and_eager("glorot_uniform_seed_1", "tf.compat.v1.glorot_uniform_initializer(seed=1)"),
        _in_graph_and_eager("keras_random_normal_seeded", "a Keras RandomNormal initializer with seed=7"),
    ],
)
class SeedAcrossModes:
    """The same seeds drawn in a graph and eagerly: op seed, global seed, both, Glorot uniform and Keras, twice each."""

    def graph(tf, obs):
        for config, (global_seed, op_seed, kind) in ACROSS.items():
            with obs.catch(f"{config}_error"):
                first, second = _graph_draws(tf, global_seed, op_seed, kind)
                obs.record(f"{config}_first_op", first)
                obs.record(f"{config}_second_op", second)
                obs.record(f"{config}_in_a_graph", first)  # a graph program's own draw is the one in a graph

    def eager(tf, obs):
        for config, (global_seed, op_seed, kind) in ACROSS.items():
            with obs.catch(f"{config}_error"):
                clear_keras_session(tf)  # a fresh start, as a new program has
                set_global_seed(tf, global_seed)
                obs.record(f"{config}_first_op", _across_draw(tf, op_seed, kind))
                obs.record(f"{config}_second_op", _across_draw(tf, op_seed, kind))
                obs.record(f"{config}_in_a_graph", _graph_draws(tf, global_seed, op_seed, kind)[0])


# --- tf.keras.utils.set_random_seed ------------------------------------------------------------
# Keras's one call that seeds Python, numpy, TensorFlow and Keras (from TF 2.7; TF 2.5 and 1.15 lack
# it: not applicable there), then a Dense layer with its default (unseeded) kernel initializer,
# in two fresh runs, and in the eager twin once more in a tf.Graph. Recorded: `kernel_run_1`,
# `kernel_run_2`, `kernel_in_a_graph`.
KERAS_SEED = 5


def _dense_kernel_in_a_graph(tf):
    with tf.Graph().as_default():
        tf.keras.utils.set_random_seed(KERAS_SEED)
        layer = tf.keras.layers.Dense(3)
        layer.build((None, 4))
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            return sess.run(tf.convert_to_tensor(layer.kernel))


@scenario(
    "seed-keras-set-random-seed",
    source=Source(ARTICLE_002, "Example 3: Initialization with Random Values (tf.keras.utils.set_random_seed, "
                               "a Dense kernel)"),
    tags=["seeding", "random", "initializer", "keras"],
    claims=[
        Claim("deterministic given the same seeds: after tf.keras.utils.set_random_seed(5), a Dense layer's "
              "default kernel is the same in two fresh runs",
              lambda o: close(o["kernel_run_1"], o["kernel_run_2"]), quote=DETERMINISTIC),
        Claim("deterministic given the same seeds: after tf.keras.utils.set_random_seed(5), a Dense layer's "
              "default kernel is the same in a graph and eagerly",
              lambda o: close(o["kernel_run_1"], o["kernel_in_a_graph"]),
              not_in=("graph",), why=ONE_PROGRAM,
              instead=lambda o: f"the graph twin's kernel starts {brief(o['kernel_run_1'])}; the eager twin's "
                                "program builds it both ways",
              quote=DETERMINISTIC),
    ],
)
class SeedKerasSetRandomSeed:
    """tf.keras.utils.set_random_seed(5), then Dense(3) built on 4 inputs: its kernel in two fresh runs."""

    def graph(tf, obs):
        runs = [_dense_kernel_in_a_graph(tf) for _ in (1, 2)]
        obs.record("kernel_run_1", runs[0])
        obs.record("kernel_run_2", runs[1])
        obs.record("kernel_in_a_graph", runs[0])  # a graph program's own kernel is the one in a graph

    def eager(tf, obs):
        for run in (1, 2):
            clear_keras_session(tf)  # a fresh start, as a new program has
            tf.keras.utils.set_random_seed(KERAS_SEED)
            layer = tf.keras.layers.Dense(3)
            layer.build((None, 4))
            obs.record(f"kernel_run_{run}", layer.kernel.numpy())
        obs.record("kernel_in_a_graph", _dense_kernel_in_a_graph(tf))

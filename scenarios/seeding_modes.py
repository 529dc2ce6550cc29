"""Seeding across modes: the same seeds drawn in a graph and eagerly, inside one program."""

from _seeds import ARTICLE_002, DETERMINISTIC, GLOBAL_SEED, OP_SEED, set_global_seed

from lab.guest import Claim, Source, scenario
from lab.guest.predicates import brief, close, runs_to_the_end
from lab.guest.trial import clear_keras_session

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

"""The seeding scenarios' shared words and calls (a helper: not a scenario module)."""

ARTICLE_000 = "000_8efaa3ae04d8cab7.txt"
ARTICLE_002 = "002_47706e3e358c726a.txt"
CACHED = ("The initialization operation, fundamentally, is a node in the graph. After it executes once, the "
          "node's output is cached.")
DETERMINISTIC = "TensorFlow is designed to be deterministic given the same graph and variable state"
NO_NODE = "eager execution has no node to run again: the line executes anew"
GLOBAL_SEED, OP_SEED = 11, 7


def set_global_seed(tf, seed):
    """The global seed, as a program sets it (None: no seed). Not the articles' code, which sets
    none: TF 1.15 has no tf.random.set_seed, and its tf.compat.v1.set_random_seed sets the eager seed."""
    (getattr(tf.random, "set_seed", None) or tf.compat.v1.set_random_seed)(seed)


def equal(a, b):
    """Whether two draws are the same numbers (for records that keep no unseeded draw)."""
    import numpy as np

    return bool(np.array_equal(np.asarray(a), np.asarray(b)))

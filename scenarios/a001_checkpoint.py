"""Article 001: saving and restoring weights, with tf.train.Checkpoint and tf.compat.v1.train.Saver."""

import os
import tempfile

from lab.guest import Claim, Source, scenario
from lab.guest.predicates import close, raised, runs_to_the_end

ARTICLE = "001_97e30a257888b9ba.txt"
QUOTE = ("improper usage of model saving and restoring mechanisms may load incorrect or partial weights, "
         "leading to the appearance of random weights")

# The article names no API: a program saves a [3] random-normal variable "weights", and a fresh
# program (another random draw, as a new model has) restores the checkpoint into its own variable,
# in five ways, {way: (mechanism, attribute, name of the restoring variable)}:
#   checkpoint            tf.train.Checkpoint, the same attribute and variable name
#   checkpoint_renamed    tf.train.Checkpoint, the same attribute, the variable named "other"
#   checkpoint_other_key  tf.train.Checkpoint, the variable under another attribute ("kernel")
#   saver                 tf.compat.v1.train.Saver, the same variable name
#   saver_renamed         tf.compat.v1.train.Saver, the variable named "other"
# Recorded per way: `<way>_saved` (the saved values), `<way>_save_error`, `<way>_fresh` (the
# restoring variable before the restore), `<way>_restore_error` and `<way>_restored` (after it).
# The graph twin is TF1 code: the TF1 Checkpoint (tf.compat.v1.train.Checkpoint, whose save and
# restore take the Session) and a new tf.Graph per program; the eager twin is TF2 code.
WAYS = {
    "checkpoint": ("checkpoint", "weights", "weights"),
    "checkpoint_renamed": ("checkpoint", "weights", "other"),
    "checkpoint_other_key": ("checkpoint", "kernel", "weights"),
    "saver": ("saver", None, "weights"),
    "saver_renamed": ("saver", None, "other"),
}


def _restores_saved(way):
    def check(o):
        return not raised(o[f"{way}_restore_error"]) and close(o[f"{way}_restored"], o[f"{way}_saved"])
    return check


def _keeps_random(way):
    # The incorrect load the article warns of: the restore goes through without an error and the
    # variable keeps the random values the fresh program drew.
    def check(o):
        return (not raised(o[f"{way}_restore_error"]) and close(o[f"{way}_restored"], o[f"{way}_fresh"])
                and not close(o[f"{way}_restored"], o[f"{way}_saved"]))
    return check


def _written(way, mechanism):
    return runs_to_the_end(f"{way}_save_error", f"writing the checkpoint with {mechanism}")


CHECKPOINT, SAVER = "tf.train.Checkpoint", "tf.compat.v1.train.Saver"


@scenario(
    "checkpoint-restore",
    source=Source(ARTICLE, "1. Clear Explanation: model saving and restoring mechanisms"),
    tags=["checkpoint", "initializer"],
    claims=[
        Claim("used properly, tf.train.Checkpoint restores exactly the saved weights, not random ones",
              _restores_saved("checkpoint"), premise=_written("checkpoint", CHECKPOINT), quote=QUOTE),
        Claim("used properly, tf.compat.v1.train.Saver restores exactly the saved weights, not random ones",
              _restores_saved("saver"), premise=_written("saver", SAVER), quote=QUOTE),
        Claim("restored by tf.compat.v1.train.Saver into a variable of another name, the weights load incorrectly: "
              "the variable keeps its random values",
              _keeps_random("saver_renamed"), premise=_written("saver_renamed", SAVER), quote=QUOTE),
        Claim("restored by tf.train.Checkpoint into a variable of another name, the weights load incorrectly: "
              "the variable keeps its random values",
              _keeps_random("checkpoint_renamed"), premise=_written("checkpoint_renamed", CHECKPOINT), quote=QUOTE),
        Claim("restored by tf.train.Checkpoint under another attribute than it was saved with, the weights load "
              "incorrectly: the variable keeps its random values",
              _keeps_random("checkpoint_other_key"), premise=_written("checkpoint_other_key", CHECKPOINT),
              quote=QUOTE),
    ],
)
class CheckpointRestore:
    """A random [3] variable saved, then restored into a fresh program's variable: same or other name and key."""

    def graph(tf, obs):
        seed = tf.compat.v1.get_default_graph().seed  # the lab's graph seed, so the draws repeat run to run
        with tempfile.TemporaryDirectory() as folder:
            for way, (mechanism, key, name) in WAYS.items():
                path = None
                with obs.catch(f"{way}_save_error"), tf.Graph().as_default():  # the program that trains and saves
                    tf.compat.v1.set_random_seed(seed)
                    weights = tf.compat.v1.Variable(tf.random.normal([3]), name="weights")
                    with tf.compat.v1.Session() as sess:
                        sess.run(weights.initializer)
                        obs.record(f"{way}_saved", sess.run(weights))
                        prefix = os.path.join(folder, way)
                        if mechanism == "checkpoint":
                            path = tf.compat.v1.train.Checkpoint(weights=weights).save(prefix, session=sess)
                        else:
                            path = tf.compat.v1.train.Saver([weights]).save(sess, prefix)
                if path is None:
                    continue
                with tf.Graph().as_default():  # a fresh program that restores: its own random draw
                    tf.compat.v1.set_random_seed(seed + 1)
                    fresh = tf.compat.v1.Variable(tf.random.normal([3]), name=name)
                    with tf.compat.v1.Session() as sess:
                        sess.run(fresh.initializer)
                        obs.record(f"{way}_fresh", sess.run(fresh))
                        with obs.catch(f"{way}_restore_error"):
                            if mechanism == "checkpoint":
                                tf.compat.v1.train.Checkpoint(**{key: fresh}).restore(path).run_restore_ops(sess)
                            else:
                                tf.compat.v1.train.Saver([fresh]).restore(sess, path)
                        obs.record(f"{way}_restored", sess.run(fresh))

    def eager(tf, obs):
        with tempfile.TemporaryDirectory() as folder:
            for way, (mechanism, key, name) in WAYS.items():
                path = None
                with obs.catch(f"{way}_save_error"):
                    weights = tf.Variable(tf.random.normal([3]), name="weights")
                    obs.record(f"{way}_saved", weights)
                    prefix = os.path.join(folder, way)
                    if mechanism == "checkpoint":
                        path = tf.train.Checkpoint(weights=weights).save(prefix)
                    else:
                        path = tf.compat.v1.train.Saver([weights]).save(None, prefix)
                if path is None:
                    continue
                fresh = tf.Variable(tf.random.normal([3]), name=name)  # a fresh model's random draw
                obs.record(f"{way}_fresh", fresh)
                with obs.catch(f"{way}_restore_error"):
                    if mechanism == "checkpoint":
                        tf.train.Checkpoint(**{key: fresh}).restore(path)
                    else:
                        tf.compat.v1.train.Saver([fresh]).restore(None, path)
                obs.record(f"{way}_restored", fresh)

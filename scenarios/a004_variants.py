"""Article 004, beyond its examples: `w = w - g` with another loss and in a tf.function; deferred assignment."""

from lab.guest import Claim, Source, scenario
from lab.guest.predicates import prints_a_value, raised, runs_to_the_end, value

ARTICLE = "004_5ea5196b702c1a45.txt"
ITERATIONS = 10


def _printed(o, prefix=""):
    n = value(o[f"{prefix}iterations_completed"])
    return [value(o[f"{prefix}value_{k}"]) for k in range(1, n + 1)]


def _static(o, prefix=""):
    return all(v == value(o["initial_value"]) for v in _printed(o, prefix))


def _no_update_next_iteration(o, prefix=""):
    # The rebound tensor is cut off: the second iteration gets no gradient (or raises on it).
    return raised(o[f"{prefix}error_2"]) or value(o[f"{prefix}gradient_2"]) is None


# Example 1's loop with loss = (my_variable - 1)^2 instead of loss = my_variable: the gradient of
# the identity is 1 even for a tensor the tape does not watch, a square's is not. Recorded as in
# rebind-variable: per iteration k the gradient, the printed value and `error_k`.


@scenario(
    "rebind-variable-square-loss",
    source=Source(ARTICLE, "Example 1: Incorrect Assignment, with loss = (my_variable - 1)^2"),
    tags=["rebind", "training"],
    claims=[
        Claim("the value will likely remain static (at the initial 0.0)",
              _static, premise=prints_a_value("iterations_completed", "error_1"),
              quote="The value will likely remain static."),
        Claim("the new tensor is not connected to the graph: on the next iteration there is no gradient to "
              "update it with",
              _no_update_next_iteration,
              quote="this new tensor is not connected to the computational graph. Therefore, the TensorFlow "
                    "optimizer cannot update this variable during the next iteration."),
        Claim("the direct assignment does not modify the original tf.Variable",
              lambda o: value(o["original_after_loop"]) == 0.0,
              quote="it does *not* modify the variable within the TensorFlow graph"),
    ],
)
class RebindVariableSquareLoss:
    """`my_variable = my_variable - gradients` for ten iterations, with loss = (my_variable - 1)^2."""

    def graph(tf, obs):
        my_variable = tf.compat.v1.Variable(0.0)
        original = my_variable
        completed = 0
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            obs.record("initial_value", float(sess.run(my_variable)))
            for i in range(ITERATIONS):
                finished = False
                with obs.catch(f"error_{i + 1}"):
                    loss = tf.square(my_variable - 1.0)
                    gradients = tf.compat.v1.gradients(loss, my_variable)[0]
                    obs.record(f"gradient_{i + 1}", None if gradients is None else float(sess.run(gradients)))
                    my_variable = my_variable - gradients  # INCORRECT, as in the article
                    obs.record(f"value_{i + 1}", float(sess.run(my_variable)))
                    completed, finished = i + 1, True
                if not finished:
                    break
            obs.record("iterations_completed", completed)
            obs.record("original_after_loop", float(sess.run(original)))

    def eager(tf, obs):
        my_variable = tf.Variable(0.0)
        original = my_variable
        obs.record("initial_value", float(my_variable.numpy()))
        completed = 0
        for i in range(ITERATIONS):
            finished = False
            with obs.catch(f"error_{i + 1}"):
                with tf.GradientTape() as tape:
                    loss = tf.square(my_variable - 1.0)
                gradients = tape.gradient(loss, my_variable)
                obs.record(f"gradient_{i + 1}", None if gradients is None else float(gradients))
                my_variable = my_variable - gradients  # INCORRECT, as in the article
                obs.record(f"value_{i + 1}", float(my_variable.numpy()))
                completed, finished = i + 1, True
            if not finished:
                break
        obs.record("iterations_completed", completed)
        obs.record("original_after_loop", float(original.numpy()))


def _function_loop(tf, my_variable, loss_of):
    """Example 1's loop inside a tf.function; returns the values it would print."""
    @tf.function
    def loop():
        v, printed = my_variable, []
        for _ in range(ITERATIONS):
            with tf.GradientTape() as tape:
                loss = loss_of(v)
            gradients = tape.gradient(loss, v)
            v = v - gradients  # INCORRECT, as in the article
            printed.append(v)
        return printed

    return loop()


@scenario(
    "rebind-variable-tf-function",
    source=Source(ARTICLE, "Example 1: Incorrect Assignment, inside a tf.function"),
    tags=["rebind", "training", "tf-function"],
    claims=[
        Claim("inside a tf.function, the value will likely remain static (at the initial 0.0)",
              lambda o: all(v == 0.0 for v in value(o["identity_printed"])),
              premise=runs_to_the_end("identity_error", "the loop inside the tf.function"),
              quote="The value will likely remain static."),
        Claim("inside a tf.function, the direct assignment does not modify the original tf.Variable",
              lambda o: value(o["original_after_loop"]) == 0.0,
              quote="it does *not* modify the variable within the TensorFlow graph"),
        Claim("inside a tf.function, with loss = (my_variable - 1)^2, the rebound tensor cannot be updated on "
              "the next iteration: there is no gradient for it",
              lambda o: raised(o["square_error"]),
              quote="Therefore, the TensorFlow optimizer cannot update this variable during the next iteration."),
    ],
)
class RebindVariableTfFunction:
    """Example 1's ten iterations inside one tf.function, with loss = my_variable and loss = (my_variable - 1)^2."""

    def graph(tf, obs):
        my_variable = tf.compat.v1.Variable(0.0, use_resource=True)  # a tape cannot watch a TF1 reference variable
        with tf.compat.v1.Session() as sess:
            sess.run(my_variable.initializer)
            with obs.catch("identity_error"):
                obs.record("identity_printed", [float(v) for v in sess.run(_function_loop(tf, my_variable,
                                                                                           lambda v: v))])
            with obs.catch("square_error"):
                sess.run(_function_loop(tf, my_variable, lambda v: tf.square(v - 1.0)))
            obs.record("original_after_loop", float(sess.run(my_variable)))

    def eager(tf, obs):
        my_variable = tf.Variable(0.0)
        with obs.catch("identity_error"):
            obs.record("identity_printed", [float(v) for v in _function_loop(tf, my_variable, lambda v: v)])
        with obs.catch("square_error"):
            _function_loop(tf, my_variable, lambda v: tf.square(v - 1.0))
        obs.record("original_after_loop", float(my_variable.numpy()))


# The common way to put Example 1 in a tf.function: a per-call train_step(my_variable), called
# once per iteration, beside the whole loop in one tf.function above. Each call starts again from
# the tf.Variable it is given, so the value it returns (what the loop prints) is the same every
# call. Recorded: `value_k` (what call k returned), `iterations_completed`, `error_k` (what call k
# raised) and `original_after_loop`.


def _train_step(tf):
    @tf.function
    def train_step(my_variable):
        with tf.GradientTape() as tape:
            loss = my_variable  # simple loss function using the variable
        gradients = tape.gradient(loss, my_variable)
        my_variable = my_variable - gradients  # INCORRECT, as in the article
        return my_variable

    return train_step


def _same_every_call(o):
    printed = _printed(o)
    return len(printed) == ITERATIONS and all(v == printed[0] for v in printed)


@scenario(
    "rebind-variable-train-step",
    source=Source(ARTICLE, "Example 1: Incorrect Assignment, as a per-call tf.function train_step(my_variable)"),
    tags=["rebind", "training", "tf-function"],
    claims=[
        Claim("in a per-call tf.function train_step(my_variable), the value will likely remain static: every call "
              "prints the same value",
              _same_every_call, premise=prints_a_value("iterations_completed", "error_1"),
              quote="The value will likely remain static."),
        Claim("in a per-call tf.function train_step(my_variable), the direct assignment does not modify the "
              "original tf.Variable",
              lambda o: value(o["original_after_loop"]) == 0.0,
              quote="it does *not* modify the variable within the TensorFlow graph"),
    ],
)
class RebindVariableTrainStep:
    """Example 1's step as @tf.function train_step(my_variable), called for ten iterations; loss = my_variable."""

    def graph(tf, obs):
        my_variable = tf.compat.v1.Variable(0.0, use_resource=True)  # a tape cannot watch a TF1 reference variable
        train_step = _train_step(tf)
        completed = 0
        with tf.compat.v1.Session() as sess:
            sess.run(my_variable.initializer)
            obs.record("initial_value", float(sess.run(my_variable)))
            for i in range(ITERATIONS):
                finished = False
                with obs.catch(f"error_{i + 1}"):
                    obs.record(f"value_{i + 1}", float(sess.run(train_step(my_variable))))
                    completed, finished = i + 1, True
                if not finished:
                    break
            obs.record("iterations_completed", completed)
            obs.record("original_after_loop", float(sess.run(my_variable)))

    def eager(tf, obs):
        my_variable = tf.Variable(0.0)
        train_step = _train_step(tf)
        obs.record("initial_value", float(my_variable.numpy()))
        completed = 0
        for i in range(ITERATIONS):
            finished = False
            with obs.catch(f"error_{i + 1}"):
                obs.record(f"value_{i + 1}", float(train_step(my_variable).numpy()))
                completed, finished = i + 1, True
            if not finished:
                break
        obs.record("iterations_completed", completed)
        obs.record("original_after_loop", float(my_variable.numpy()))


@scenario(
    "assign-sub-deferred",
    source=Source(ARTICLE, "1. Clear Explanation: the value changes when the graph is executed"),
    tags=["assign"],
    claims=[
        Claim("the variable's value is not changed until the graph is executed: creating assign_sub leaves it",
              lambda o: value(o["value_after_assign_sub_created"]) == 0.0,
              quote="the variable's value isn't directly manipulated until the graph is executed"),
        Claim("the assignment operation changes the value once executed",
              lambda o: value(o["value_after_execution"]) == -1.0,
              quote="These operations add the assignment as a node in the computation graph, ensuring the "
                    "change is correctly incorporated during execution."),
    ],
)
class AssignSubDeferred:
    """my_variable.assign_sub(1.0) on a variable at 0.0: its value before and after the update executes."""

    def graph(tf, obs):
        my_variable = tf.compat.v1.Variable(0.0)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            update = my_variable.assign_sub(1.0)
            obs.record("value_after_assign_sub_created", float(sess.run(my_variable)))
            sess.run(update)
            obs.record("value_after_execution", float(sess.run(my_variable)))

    def eager(tf, obs):
        my_variable = tf.Variable(0.0)
        my_variable.assign_sub(1.0)  # eagerly, creating the operation executes it
        obs.record("value_after_assign_sub_created", float(my_variable.numpy()))
        obs.record("value_after_execution", float(my_variable.numpy()))

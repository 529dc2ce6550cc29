"""Article 004: a variable's value does (not?) change in training unless an assignment op updates it."""

from lab.guest import Claim, Source, scenario
from lab.guest.predicates import close, prints_a_value, raised, runs_to_the_end, value

ARTICLE = "004_5ea5196b702c1a45.txt"
ITERATIONS = 10
LEARNING_RATE = 0.1

# The graph twins are the TF1 form of each loop: TF1 had no GradientTape (and a tape cannot
# watch TF1 reference variables: AttributeError '_id'), so the gradient comes from
# tf.compat.v1.gradients, and each iteration's print is a sess.run. The article's optimizer,
# tf.optimizers.SGD, is kept: where it is applied (Example 2) the variable is a resource one,
# which TF2 makes in a graph too and the Keras optimizers need, and what it raises or does in a
# graph is an observation (`keras-optimizer-graph` has the whole picture).


def _grad(g):
    return None if g is None else float(g)


def _printed(o):
    """The values the loop printed, iteration by iteration, until it stopped."""
    return [value(o[f"value_{k}"]) for k in range(1, value(o["iterations_completed"]) + 1)]


def _trajectory_is_sgd(o):
    return all(close(o[f"value_{k}"], -LEARNING_RATE * k, rel=1e-5) for k in range(1, ITERATIONS + 1))


def _updated_by_sgd(o):
    # A correct update of loss = my_variable (gradient 1) by SGD(0.1): -0.1 * k after iteration k.
    return not raised(o["training_error"]) and _trajectory_is_sgd(o)


@scenario(
    "rebind-variable",
    source=Source(ARTICLE, "Example 1: Incorrect Assignment"),
    tags=["rebind", "assign", "training"],
    claims=[
        Claim("`my_variable = my_variable - gradients` creates a new tensor, not a tf.Variable",
              lambda o: "Tensor" in value(o["type_1"]) and "Variable" not in value(o["type_1"]),
              quote="The line `my_variable = my_variable - gradients` creates a new tensor"),
        Claim("the direct assignment does not modify the original tf.Variable",
              lambda o: value(o["original_after_loop"]) == 0.0,
              quote="it does *not* modify the variable within the TensorFlow graph"),
        Claim("the value printed in the loop will likely remain static (at the initial 0.0)",
              lambda o: all(v == value(o["initial_value"]) for v in _printed(o)),
              premise=prints_a_value("iterations_completed", "error_1"),
              quote="The value will likely remain static."),
    ],
)
class RebindVariable:
    """`my_variable = my_variable - gradients` for ten iterations, with loss = my_variable."""

    # Recorded per iteration k until the loop stops: the gradient, the printed value, the type
    # the name `my_variable` is bound to afterwards, and `error_k` (what the iteration raised,
    # if anything; the article's loop would stop there, so the twin does too).

    def graph(tf, obs):
        my_variable = tf.compat.v1.Variable(0.0)
        original = my_variable  # a second reference to the tf.Variable the rebinding leaves behind
        # The article creates an optimizer and never uses it in this loop (TF 1.15 has no tf.optimizers).
        with obs.catch("optimizer_error"):
            optimizer = tf.optimizers.SGD(learning_rate=LEARNING_RATE)  # noqa: F841
        obs.record("type_before_loop", type(my_variable).__name__)
        completed = 0
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            obs.record("initial_value", float(sess.run(my_variable)))
            for i in range(ITERATIONS):
                finished = False
                with obs.catch(f"error_{i + 1}"):
                    loss = my_variable  # simple loss function using the variable
                    gradients = tf.compat.v1.gradients(loss, my_variable)[0]
                    obs.record(f"gradient_{i + 1}", _grad(None if gradients is None else sess.run(gradients)))
                    my_variable = my_variable - gradients  # INCORRECT, as in the article
                    obs.record(f"value_{i + 1}", float(sess.run(my_variable)))
                    obs.record(f"type_{i + 1}", type(my_variable).__name__)
                    completed, finished = i + 1, True
                if not finished:
                    break
            obs.record("iterations_completed", completed)
            obs.record("original_after_loop", float(sess.run(original)))

    def eager(tf, obs):
        my_variable = tf.Variable(0.0)
        original = my_variable  # a second reference to the tf.Variable the rebinding leaves behind
        # The article creates an optimizer and never uses it in this loop (TF 1.15 has no tf.optimizers).
        with obs.catch("optimizer_error"):
            optimizer = tf.optimizers.SGD(learning_rate=LEARNING_RATE)  # noqa: F841
        obs.record("type_before_loop", type(my_variable).__name__)
        obs.record("initial_value", float(my_variable.numpy()))
        completed = 0
        for i in range(ITERATIONS):
            finished = False
            with obs.catch(f"error_{i + 1}"):
                with tf.GradientTape() as tape:
                    loss = my_variable  # simple loss function using the variable
                gradients = tape.gradient(loss, my_variable)
                obs.record(f"gradient_{i + 1}", _grad(gradients))
                my_variable = my_variable - gradients  # INCORRECT, as in the article
                obs.record(f"value_{i + 1}", float(my_variable.numpy()))
                obs.record(f"type_{i + 1}", type(my_variable).__name__)
                completed, finished = i + 1, True
            if not finished:
                break
        obs.record("iterations_completed", completed)
        obs.record("original_after_loop", float(original.numpy()))


@scenario(
    "apply-gradients-update",
    source=Source(ARTICLE, "Example 2: Correct Assignment using `tf.assign_sub`"),
    tags=["assign", "training", "keras", "optimizer"],
    claims=[
        Claim("optimizer.apply_gradients updates the variable each iteration (to -0.1 * k with "
              "SGD(0.1) and gradient 1)",
              _updated_by_sgd,
              quote="CORRECT: Apply gradients using optimizer"),
    ],
)
class ApplyGradientsUpdate:
    """tf.optimizers.SGD(0.1).apply_gradients on loss = my_variable for ten iterations."""

    def graph(tf, obs):
        my_variable = tf.compat.v1.Variable(0.0, use_resource=True)
        optimizer = tf.optimizers.SGD(learning_rate=LEARNING_RATE)
        with obs.catch("training_error"):
            with tf.GradientTape() as tape:
                loss = my_variable  # simple loss function using the variable
            gradients = tape.gradient(loss, my_variable)
            train_op = optimizer.apply_gradients([(gradients, my_variable)])  # CORRECT
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                for i in range(ITERATIONS):
                    grad = sess.run(gradients)
                    sess.run(train_op)
                    obs.record(f"gradient_{i + 1}", float(grad))
                    obs.record(f"value_{i + 1}", float(sess.run(my_variable)))

    def eager(tf, obs):
        my_variable = tf.Variable(0.0)
        optimizer = tf.optimizers.SGD(learning_rate=LEARNING_RATE)
        with obs.catch("training_error"):
            for i in range(ITERATIONS):
                with tf.GradientTape() as tape:
                    loss = my_variable  # simple loss function using the variable
                gradients = tape.gradient(loss, my_variable)
                optimizer.apply_gradients([(gradients, my_variable)])  # CORRECT
                obs.record(f"gradient_{i + 1}", _grad(gradients))
                obs.record(f"value_{i + 1}", float(my_variable.numpy()))


@scenario(
    "assign-sub-update",
    source=Source(ARTICLE, "Example 3:  Manual Update with `tf.assign_sub`"),
    tags=["assign", "training"],
    claims=[
        Claim("my_variable.assign_sub(learning_rate * gradients) updates the variable each "
              "iteration (to -0.1 * k)",
              _trajectory_is_sgd,
              quote="CORRECT: Explicitly updates the variable using assign_sub"),
    ],
)
class AssignSubUpdate:
    """my_variable.assign_sub(0.1 * gradient) on loss = my_variable for ten iterations."""

    def graph(tf, obs):
        my_variable = tf.compat.v1.Variable(0.0)
        learning_rate = LEARNING_RATE
        loss = my_variable
        gradients = tf.compat.v1.gradients(loss, my_variable)[0]
        update = my_variable.assign_sub(learning_rate * gradients)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for i in range(ITERATIONS):
                grad, _ = sess.run([gradients, update])
                obs.record(f"gradient_{i + 1}", float(grad))
                obs.record(f"value_{i + 1}", float(sess.run(my_variable)))

    def eager(tf, obs):
        my_variable = tf.Variable(0.0)
        learning_rate = LEARNING_RATE
        for i in range(ITERATIONS):
            with tf.GradientTape() as tape:
                loss = my_variable
            gradients = tape.gradient(loss, my_variable)
            my_variable.assign_sub(learning_rate * gradients)  # CORRECT
            obs.record(f"gradient_{i + 1}", _grad(gradients))
            obs.record(f"value_{i + 1}", float(my_variable.numpy()))


ASSIGN_OPS = ("assign", "assign_add", "assign_sub")


def _compat_assigns(tf, obs, var, run):
    """tf.compat.v1.assign / assign_add / assign_sub on a variable at 0.0: 5, then +2, then -3."""
    for name, operand, key in (("assign", 5.0, "after_assign"), ("assign_add", 2.0, "after_assign_add"),
                               ("assign_sub", 3.0, "after_assign_sub")):
        with obs.catch(f"compat_v1_{name}_error"):
            run(getattr(tf.compat.v1, name)(var, operand))
        obs.record(key, float(run(var)))


@scenario(
    "assign-ops",
    source=Source(ARTICLE, "Explanation: tf.assign, tf.assign_add or tf.assign_sub"),
    tags=["assign"],
    claims=[
        Claim("TensorFlow provides `tf.assign`, `tf.assign_add` and `tf.assign_sub`",
              lambda o: all(value(o[f"tf_has_{name}"]) for name in ASSIGN_OPS),
              quote="you must use assignment operations provided by TensorFlow, such as `tf.assign`, "
                    "`tf.assign_add`, or `tf.assign_sub`"),
        Claim("`tf.assign(var, value)` as written updates the variable",
              lambda o: not raised(o["tf_assign_error"]) and value(o["after_tf_assign"]) == 5.0,
              quote="such as `tf.assign`"),
        Claim("the assignment operations update the variable's value",
              lambda o: [value(o[k]) for k in ("after_assign", "after_assign_add", "after_assign_sub")]
              == [5.0, 7.0, 4.0],
              quote="To update the variable's value within the training loop, you must use assignment "
                    "operations"),
    ],
)
class AssignOps:
    """Whether tf.assign/assign_add/assign_sub exist under tf and tf.compat.v1, and what they do."""

    # `tf_has_*` and `compat_v1_has_*` are hasattr checks; `tf.assign(...)` is called as the
    # article names it, then the tf.compat.v1 spellings (assign 5, assign_add 2, assign_sub 3).

    def graph(tf, obs):
        for name in ASSIGN_OPS:
            obs.record(f"tf_has_{name}", hasattr(tf, name))
            obs.record(f"compat_v1_has_{name}", hasattr(tf.compat.v1, name))
        var = tf.compat.v1.Variable(0.0)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            with obs.catch("tf_assign_error"):
                sess.run(tf.assign(var, 5.0))
            obs.record("after_tf_assign", float(sess.run(var)))
            sess.run(var.initializer)
            _compat_assigns(tf, obs, var, sess.run)

    def eager(tf, obs):
        for name in ASSIGN_OPS:
            obs.record(f"tf_has_{name}", hasattr(tf, name))
            obs.record(f"compat_v1_has_{name}", hasattr(tf.compat.v1, name))
        var = tf.Variable(0.0)
        with obs.catch("tf_assign_error"):
            tf.assign(var, 5.0)
        obs.record("after_tf_assign", float(var.numpy()))
        var.assign(0.0)
        _compat_assigns(tf, obs, var, lambda t: t.numpy() if hasattr(t, "numpy") else t)


PLACEMENT_ITERATIONS = 3


def _placement_changes(o, placement):
    values = [value(o[f"{placement}_value_{k}"]) for k in range(1, PLACEMENT_ITERATIONS + 1)]
    return all(v != 0.0 for v in values) and len(set(values)) == len(values)


def _placement_has_gradients(o, placement):
    return all(value(o[f"{placement}_gradient_{k}"]) is not None for k in range(1, PLACEMENT_ITERATIONS + 1))


AFTER_RUNS = runs_to_the_end("after_error", "the loop with the assignment after the tape block")


@scenario(
    "assign-inside-tape",
    source=Source(ARTICLE, "Explanation: the assignment operation within the tf.GradientTape context"),
    tags=["assign", "training"],
    claims=[
        Claim("with the assignment inside the tf.GradientTape context, gradients are tracked and the "
              "variable is updated",
              lambda o: not raised(o["inside_error"]) and _placement_has_gradients(o, "inside")
              and _placement_changes(o, "inside"),
              quote="ensure that the assignment operation is within the `tf.GradientTape` context during "
                    "training"),
        Claim("with the assignment outside (after) the tape context, backpropagation is prevented: "
              "no gradient",
              lambda o: not _placement_has_gradients(o, "after"), premise=AFTER_RUNS,
              quote="Omitting this step would prevent backpropagation"),
        Claim("with the assignment outside (after) the tape context, the variable does not change",
              lambda o: not _placement_changes(o, "after"), premise=AFTER_RUNS,
              quote="and consequently, any changes to the model's weights"),
    ],
)
class AssignInsideTape:
    """Example 3's loop with assign_sub inside the tape block, and after it, for three iterations."""

    # `after` is the article's Example 3; `inside` moves the tape.gradient and assign_sub lines
    # into the `with tf.GradientTape()` block. Recorded per placement: gradient and value per
    # iteration, and `<placement>_error` for anything the loop raised.

    def graph(tf, obs):
        # A tape cannot watch a TF1 reference variable (AttributeError '_id'), and the claim is
        # about the tape: this twin uses a resource variable in the graph, as tf.function would.
        for placement in ("inside", "after"):
            my_variable = tf.compat.v1.Variable(0.0, use_resource=True)
            with obs.catch(f"{placement}_error"):
                with tf.GradientTape() as tape:
                    loss = my_variable
                    if placement == "inside":
                        gradients = tape.gradient(loss, my_variable)
                        update = my_variable.assign_sub(LEARNING_RATE * gradients)
                if placement == "after":
                    gradients = tape.gradient(loss, my_variable)
                    update = my_variable.assign_sub(LEARNING_RATE * gradients)
                with tf.compat.v1.Session() as sess:
                    sess.run(my_variable.initializer)
                    for i in range(PLACEMENT_ITERATIONS):
                        grad, _ = sess.run([gradients, update])
                        obs.record(f"{placement}_gradient_{i + 1}", _grad(grad))
                        obs.record(f"{placement}_value_{i + 1}", float(sess.run(my_variable)))

    def eager(tf, obs):
        for placement in ("inside", "after"):
            my_variable = tf.Variable(0.0)
            with obs.catch(f"{placement}_error"):
                for i in range(PLACEMENT_ITERATIONS):
                    with tf.GradientTape() as tape:
                        loss = my_variable
                        if placement == "inside":
                            gradients = tape.gradient(loss, my_variable)
                            my_variable.assign_sub(LEARNING_RATE * gradients)
                    if placement == "after":
                        gradients = tape.gradient(loss, my_variable)
                        my_variable.assign_sub(LEARNING_RATE * gradients)
                    obs.record(f"{placement}_gradient_{i + 1}", _grad(gradients))
                    obs.record(f"{placement}_value_{i + 1}", float(my_variable.numpy()))

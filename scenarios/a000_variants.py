"""Article 000, variants: its loops and its model with tf.compat.v1.train optimizers, and its counterfactual."""

from _a000_loops import (
    ADAM_CLAIMS,
    ADAM_ITERATIONS,
    ARTICLE,
    FIXED_CLAIMS,
    SGD_CLAIMS,
    eager_loop,
    graph_loop,
    simple_model,
)

from lab.guest import Claim, Source, scenario
from lab.guest.predicates import close, raised, value

# The `*-compat-optimizer` scenarios are not the article's code: they swap its Keras optimizer
# for tf.compat.v1.train's, the TF1 way to write the same loop (a train op run in a Session,
# a TF1 reference variable, tf.compat.v1.gradients), and use the same optimizer eagerly. They
# show what the loop does where the article's Keras optimizer raises or does nothing in a graph.


@scenario(
    "train-loop-sgd-compat-optimizer",
    source=Source(ARTICLE, "Example 1: Basic Weight Initialization and Update (tf.compat.v1.train optimizer)"),
    tags=["training", "optimizer", "compat-optimizer"],
    substitutes=["tf.compat.v1.train.GradientDescentOptimizer"],
    claims=SGD_CLAIMS,
)
class TrainLoopSgdCompat:
    """Example 1 with tf.compat.v1.train.GradientDescentOptimizer(0.1) in place of the Keras SGD."""

    def graph(tf, obs):
        weight = tf.compat.v1.Variable(tf.random.normal(shape=(1,)), name="my_weight")
        optimizer = tf.compat.v1.train.GradientDescentOptimizer(learning_rate=0.1)
        graph_loop(tf, obs, weight, optimizer, tape=False)

    def eager(tf, obs):
        weight = tf.Variable(tf.random.normal(shape=(1,)), name="my_weight")
        optimizer = tf.compat.v1.train.GradientDescentOptimizer(learning_rate=0.1)
        eager_loop(tf, obs, weight, optimizer)


@scenario(
    "train-loop-fixed-compat-optimizer",
    source=Source(ARTICLE, "Example 3: Explicit Initial Weight Values (tf.compat.v1.train optimizer)"),
    tags=["training", "optimizer", "compat-optimizer"],
    substitutes=["tf.compat.v1.train.GradientDescentOptimizer"],
    claims=FIXED_CLAIMS,
)
class TrainLoopFixedCompat:
    """Example 3 with tf.compat.v1.train.GradientDescentOptimizer(0.1) in place of the Keras SGD."""

    def graph(tf, obs):
        import numpy as np

        weight = tf.compat.v1.Variable(np.array([[1.0]], dtype=np.float32), name="my_weight")
        optimizer = tf.compat.v1.train.GradientDescentOptimizer(learning_rate=0.1)
        graph_loop(tf, obs, weight, optimizer, tape=False)

    def eager(tf, obs):
        import numpy as np

        weight = tf.Variable(np.array([[1.0]], dtype=np.float32), name="my_weight")
        optimizer = tf.compat.v1.train.GradientDescentOptimizer(learning_rate=0.1)
        eager_loop(tf, obs, weight, optimizer)


def _adam_steps(obs, read, step, loss):
    with obs.catch("training_error"):
        for iteration in range(ADAM_ITERATIONS):
            obs.record(f"kernel_before_step_{iteration + 1}", float(read()[0][0]))
            loss_value = step()
            obs.record(f"kernel_after_step_{iteration + 1}", float(read()[0][0]))
            obs.record(f"loss_{iteration + 1}", float(loss_value))


@scenario(
    "train-loop-adam-compat-optimizer",
    source=Source(ARTICLE, "Example 2: Observing Variable Persistence (no Keras: compat.v1 variable and Adam)"),
    tags=["training", "optimizer", "compat-optimizer"],
    substitutes=["tf.compat.v1.train.AdamOptimizer", "tf.compat.v1.random_normal_initializer"],
    claims=ADAM_CLAIMS,
)
class TrainLoopAdamCompat:
    """Example 2 without Keras: a compat.v1 kernel (normal, stddev 0.05), a matmul, compat.v1 AdamOptimizer(0.01)."""

    def graph(tf, obs):
        kernel = tf.compat.v1.Variable(
            tf.compat.v1.random_normal_initializer(mean=0.0, stddev=0.05)(shape=(1, 1)), name="kernel")
        x = tf.constant([[1.0], [2.0], [3.0]], dtype=tf.float32)
        y = tf.constant([[2.0], [4.0], [6.0]], dtype=tf.float32)
        loss = tf.reduce_mean(tf.square(y - tf.matmul(x, kernel)))
        train_op = tf.compat.v1.train.AdamOptimizer(learning_rate=0.01).minimize(loss, var_list=[kernel])
        obs.record("variables_before_loop", len(tf.compat.v1.trainable_variables()))
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())

            def step():
                loss_value = sess.run(loss)
                sess.run(train_op)
                return loss_value

            _adam_steps(obs, lambda: sess.run(kernel), step, loss)

    def eager(tf, obs):
        kernel = tf.Variable(tf.compat.v1.random_normal_initializer(mean=0.0, stddev=0.05)(shape=(1, 1)), name="kernel")
        x = tf.constant([[1.0], [2.0], [3.0]], dtype=tf.float32)
        y = tf.constant([[2.0], [4.0], [6.0]], dtype=tf.float32)
        optimizer = tf.compat.v1.train.AdamOptimizer(learning_rate=0.01)
        obs.record("variables_before_loop", 1)  # tf.Variable creates the kernel here, before the loop

        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(y - tf.matmul(x, kernel)))
            optimizer.apply_gradients(zip(tape.gradient(loss, [kernel]), [kernel]))
            return loss.numpy()

        _adam_steps(obs, kernel.numpy, step, None)


# --- The article's model with a tf.compat.v1.train optimizer ------------------------------------
# The article's SimpleModel trained the TF1 way, which the article does not use: a tf.compat.v1.train
# optimizer, and tf.compat.v1.layers beside Keras (Keras 3 drops both from its variables' reach).


def _model_trains(o):
    return not raised(o["compat_v1_optimizer_error"]) and value(o["kernel_after_step"]) != value(
        o["kernel_before_step"])


@scenario(
    "keras-model-compat-optimizer",
    source=Source(ARTICLE, "Example 2: Observing Variable Persistence (the model with a tf.compat.v1.train optimizer)"),
    tags=["keras", "training", "compat-optimizer"],
    substitutes=["tf.compat.v1.train.GradientDescentOptimizer", "tf.compat.v1.layers"],
    claims=[
        Claim("a tf.compat.v1.train optimizer, which the article does not use, trains the Keras model's kernel as "
              "it trains a tf.Variable: one GradientDescentOptimizer(0.1) step changes it",
              _model_trains,
              quote="Note: using a Keras model does not alter this behavior of the weights."),
    ],
)
class KerasModelCompatOptimizer:
    """The article's SimpleModel trained one step by tf.compat.v1.train.GradientDescentOptimizer; compat.v1.layers."""

    def graph(tf, obs):
        model = simple_model(tf)()
        x = tf.constant([[1.0], [2.0], [3.0]], dtype=tf.float32)
        with obs.catch("compat_v1_optimizer_error"):
            loss = tf.reduce_mean(tf.square(model(x) - 2.0 * x))
            optimizer = tf.compat.v1.train.GradientDescentOptimizer(0.1)
            train_op = optimizer.minimize(loss, var_list=model.trainable_variables)
            kernel = tf.convert_to_tensor(model.trainable_variables[0])
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                obs.record("kernel_before_step", float(sess.run(kernel)[0][0]))
                sess.run(train_op)
                obs.record("kernel_after_step", float(sess.run(kernel)[0][0]))
        with obs.catch("compat_v1_layers_error"):
            tf.compat.v1.layers.dense(x, 1, name="v1_dense")
            obs.record("compat_v1_layers_variables", sorted(v.name for v in tf.compat.v1.trainable_variables()
                                                            if v.name.startswith("v1_dense")))

    def eager(tf, obs):
        model = simple_model(tf)()
        x = tf.constant([[1.0], [2.0], [3.0]], dtype=tf.float32)
        with obs.catch("compat_v1_optimizer_error"):
            model(x)
            optimizer = tf.compat.v1.train.GradientDescentOptimizer(0.1)
            obs.record("kernel_before_step", float(model.trainable_variables[0].numpy()[0][0]))
            optimizer.minimize(lambda: tf.reduce_mean(tf.square(model(x) - 2.0 * x)),
                               var_list=model.trainable_variables)
            obs.record("kernel_after_step", float(model.trainable_variables[0].numpy()[0][0]))
        with obs.catch("compat_v1_layers_error"):
            layer = tf.compat.v1.layers.Dense(1, name="v1_dense")
            layer(x)
            obs.record("compat_v1_layers_variables", sorted(v.name for v in layer.trainable_variables))


# --- The counterfactual ----------------------------------------------------------------------
# "If weights were re-initialized at every iteration": Example 3's loop (fixed start 1.0) with
# the weight put back to its initial value at the start of every iteration, beside the same loop
# without it. The update is plain SGD written out (w -= 0.1 * gradient), so what the claims
# measure is the re-initialization, not an optimizer's behaviour in a mode or version.

STEPS = 5


def _reinit_losses(o):
    return [value(o[f"reinit_loss_{k}"]) for k in range(1, STEPS + 1)]


@scenario(
    "train-loop-reinit-every-step",
    source=Source(ARTICLE, "Counterfactual: weights re-initialized at every iteration"),
    tags=["training", "reinit"],
    claims=[
        Claim("re-initialized at every iteration, the model starts from scratch each time: every "
              "iteration's forward pass gives the first iteration's loss",
              lambda o: all(close(loss, _reinit_losses(o)[0]) for loss in _reinit_losses(o)),
              quote="If weights were re-initialized at every iteration, the model would be effectively "
                    "starting from scratch each time"),
        Claim("re-initialized at every iteration, learned progress is lost: the weight after every "
              "iteration is the weight after the first",
              lambda o: all(close(o[f"reinit_weight_{k}"], o["reinit_weight_1"]) for k in range(1, STEPS + 1)),
              quote="rendering any learned progress pointless"),
        Claim("re-initialized at every iteration, the model achieves practically no improvement, while "
              "the same loop without re-initialization cuts the loss at least tenfold",
              lambda o: close(_reinit_losses(o)[-1], _reinit_losses(o)[0])
              and value(o[f"plain_loss_{STEPS}"]) < value(o["plain_loss_1"]) / 10,
              quote="achieve practically no improvement in performance"),
    ],
)
class TrainLoopReinitEveryStep:
    """Example 3's loop for five iterations, with and without resetting the weight to 1.0 before each."""

    def graph(tf, obs):
        x_data = tf.constant([1.0, 2.0, 3.0], dtype=tf.float32)
        y_data = tf.constant([2.0, 4.0, 6.0], dtype=tf.float32)
        for variant in ("reinit", "plain"):
            weight = tf.compat.v1.Variable([[1.0]], name=f"{variant}_weight")
            loss = tf.reduce_mean(tf.square(x_data * weight - y_data))
            update = weight.assign_sub(0.1 * tf.compat.v1.gradients(loss, [weight])[0])
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                for k in range(1, STEPS + 1):
                    if variant == "reinit":
                        sess.run(weight.initializer)  # the counterfactual: re-initialize every iteration
                    obs.record(f"{variant}_loss_{k}", float(sess.run(loss)))
                    sess.run(update)
                    obs.record(f"{variant}_weight_{k}", float(sess.run(weight)[0][0]))

    def eager(tf, obs):
        x_data = tf.constant([1.0, 2.0, 3.0], dtype=tf.float32)
        y_data = tf.constant([2.0, 4.0, 6.0], dtype=tf.float32)
        for variant in ("reinit", "plain"):
            weight = tf.Variable([[1.0]], name=f"{variant}_weight")
            for k in range(1, STEPS + 1):
                if variant == "reinit":
                    weight.assign([[1.0]])  # eager variables have no initializer to re-run
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(tf.square(x_data * weight - y_data))
                obs.record(f"{variant}_loss_{k}", float(loss.numpy()))
                weight.assign_sub(0.1 * tape.gradient(loss, [weight])[0])
                obs.record(f"{variant}_weight_{k}", float(weight.numpy()[0][0]))

"""Article 000: TensorFlow does (not?) re-initialize weights in each iteration of a training loop."""

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

from lab.guest import Source, scenario

# Each twin records, per iteration k (1-based, as the article prints it): `weight_k` (the
# weight after the update), `loss_k` (the loss of that iteration's forward pass, i.e. before
# the update) and `gradient_k`; plus `initial_weight`, read before the loop starts, and
# `training_error`, what the loop raised (or that it raised nothing). Plain floats, so graph
# and eager compare key by key.
#
# Both twins are the article's code: its Keras optimizer and its GradientTape. The graph twin
# builds one iteration's ops once and runs them in a tf.compat.v1 Session, the loop being
# session runs. The article's code is TF2 code, and TF2 makes resource variables in a graph
# too (as after disable_eager_execution): with the lab's TF1 reference variables, the tape and
# every Keras optimizer raise AttributeError in every version (`keras-optimizer-graph`), so the
# graph twin asks for a resource variable. Whatever the loop raises is an observation; the
# `*-compat-optimizer` variants are the same loops with tf.compat.v1.train's optimizers.

@scenario(
    "train-loop-sgd",
    source=Source(ARTICLE, "Example 1: Basic Weight Initialization and Update"),
    tags=["training", "keras", "optimizer"],
    claims=SGD_CLAIMS,
)
class TrainLoopSgd:
    """One random-normal weight fitted to y = 2x by tf.keras.optimizers.SGD(0.1) for three iterations."""

    # The initial weight is random, and the graph and eager random streams differ, so the two
    # twins start from different values; Example 3 (train-loop-fixed) compares the modes.

    def graph(tf, obs):
        weight = tf.compat.v1.Variable(tf.random.normal(shape=(1,)), name="my_weight", use_resource=True)
        optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)
        graph_loop(tf, obs, weight, optimizer)

    def eager(tf, obs):
        weight = tf.Variable(tf.random.normal(shape=(1,)), name="my_weight")
        optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)
        eager_loop(tf, obs, weight, optimizer)


@scenario(
    "train-loop-fixed",
    source=Source(ARTICLE, "Example 3: Explicit Initial Weight Values"),
    tags=["training", "keras", "optimizer"],
    claims=FIXED_CLAIMS,
)
class TrainLoopFixed:
    """A [[1.0]] weight fitted to y = 2x by tf.keras.optimizers.SGD(0.1) for three iterations."""

    def graph(tf, obs):
        import numpy as np

        initial_weight_value = np.array([[1.0]], dtype=np.float32)
        weight = tf.compat.v1.Variable(initial_weight_value, name="my_weight", use_resource=True)
        optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)
        graph_loop(tf, obs, weight, optimizer)

    def eager(tf, obs):
        import numpy as np

        initial_weight_value = np.array([[1.0]], dtype=np.float32)
        weight = tf.Variable(initial_weight_value, name="my_weight")
        optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)
        eager_loop(tf, obs, weight, optimizer)


@scenario(
    "train-loop-keras-adam",
    source=Source(ARTICLE, "Example 2: Observing Variable Persistence"),
    tags=["training", "keras", "optimizer"],
    claims=ADAM_CLAIMS,
)
class TrainLoopKerasAdam:
    """The article's SimpleModel (Dense(1, random_normal, no bias)) trained by Adam(0.01) for two iterations."""

    # Recorded per step k: the kernel as the step begins (after the forward pass, before
    # apply_gradients), the kernel after it (what the article prints) and the loss. As in
    # train-loop-sgd, the random initial kernel differs between the modes' random streams.

    def graph(tf, obs):
        model = simple_model(tf)()
        optimizer = tf.keras.optimizers.Adam(learning_rate=0.01)
        x = tf.constant([[1.0], [2.0], [3.0]], dtype=tf.float32)
        y = tf.constant([[2.0], [4.0], [6.0]], dtype=tf.float32)
        obs.record("variables_before_loop", len(model.trainable_variables))
        with obs.catch("training_error"):
            with tf.GradientTape() as tape:
                y_pred = model(x)
                loss = tf.keras.losses.MeanSquaredError()(y, y_pred)
            gradients = tape.gradient(loss, model.trainable_variables)
            train_op = optimizer.apply_gradients(zip(gradients, model.trainable_variables))
            kernel = tf.convert_to_tensor(model.trainable_variables[0])  # Keras 3 variables are no fetches
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                for iteration in range(ADAM_ITERATIONS):
                    obs.record(f"kernel_before_step_{iteration + 1}", float(sess.run(kernel)[0][0]))
                    loss_value = sess.run(loss)
                    sess.run(train_op)
                    obs.record(f"kernel_after_step_{iteration + 1}", float(sess.run(kernel)[0][0]))
                    obs.record(f"loss_{iteration + 1}", float(loss_value))

    def eager(tf, obs):
        model = simple_model(tf)()
        optimizer = tf.keras.optimizers.Adam(learning_rate=0.01)
        x = tf.constant([[1.0], [2.0], [3.0]], dtype=tf.float32)
        y = tf.constant([[2.0], [4.0], [6.0]], dtype=tf.float32)
        obs.record("variables_before_loop", len(model.trainable_variables))
        with obs.catch("training_error"):
            for iteration in range(ADAM_ITERATIONS):
                with tf.GradientTape() as tape:
                    y_pred = model(x)
                    loss = tf.keras.losses.MeanSquaredError()(y, y_pred)
                gradients = tape.gradient(loss, model.trainable_variables)
                obs.record(f"kernel_before_step_{iteration + 1}", float(model.trainable_variables[0].numpy()[0][0]))
                optimizer.apply_gradients(zip(gradients, model.trainable_variables))
                weights = [v.numpy()[0][0] for v in model.trainable_variables]
                obs.record(f"kernel_after_step_{iteration + 1}", float(weights[0]))
                obs.record(f"loss_{iteration + 1}", float(loss.numpy()))

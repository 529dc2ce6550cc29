"""Article 000: TensorFlow does (not?) re-initialize weights in each iteration of a training loop."""

from lab.guest import Claim, Source, scenario
from lab.guest.predicates import close, value

ARTICLE = "000_8efaa3ae04d8cab7.txt"

# Each twin records, per iteration k (1-based, as the article prints it): `weight_k` (the
# weight after the update), `loss_k` (the loss of that iteration's forward pass, i.e. before
# the update) and `gradient_k`; plus `initial_weight`, read before the loop starts. Plain
# floats, so graph and eager compare key by key.
#
# The graph twins: Keras optimizers (Keras 3 in TF 2.21) do not work inside tf.Graph/Session,
# so they use tf.compat.v1.train optimizers with a session-run train op, the TF1 way to write
# the same loop; tf.compat.v1.gradients gives the gradient the eager twin gets from the tape.

X_DATA = (1.0, 2.0, 3.0)
Y_DATA = (2.0, 4.0, 6.0)
ITERATIONS = 3
LR = 0.1


def _mse(w):
    """The article's loss for a scalar weight: mean((x * w - y) ** 2) over the dummy data."""
    return sum((x * w - y) ** 2 for x, y in zip(X_DATA, Y_DATA)) / len(X_DATA)


def _weights(o, n=ITERATIONS):
    """[w_0, w_1, ..., w_n]: the weight before the loop, then after each iteration."""
    return [value(o["initial_weight"])] + [value(o[f"weight_{k}"]) for k in range(1, n + 1)]


def _starts_from_initial(o):
    # The first forward pass used the value the variable got before the loop.
    return close(o["loss_1"], _mse(value(o["initial_weight"])), rel=1e-5)


def _retains_updates(o):
    # Each iteration starts from the previous one's updated value: its loss is the loss of
    # w_{k-1}, and its update is w_k = w_{k-1} - lr * grad_k (plain SGD).
    w = _weights(o)
    return all(close(o[f"loss_{k}"], _mse(w[k - 1]), rel=1e-5)
               and close(w[k], w[k - 1] - LR * value(o[f"gradient_{k}"]), rel=1e-5)
               for k in range(1, ITERATIONS + 1))


def _never_reset(o):
    w = _weights(o)
    return all(w[k] != w[0] and w[k] != w[k - 1] for k in range(1, ITERATIONS + 1))


def _loss_decreases(o):
    losses = [value(o[f"loss_{k}"]) for k in range(1, ITERATIONS + 1)]
    return all(a > b for a, b in zip(losses, losses[1:]))


SGD_CLAIMS = [
    Claim("the weight is initialized once, before the loop: the first iteration starts from it",
          _starts_from_initial,
          quote="the weights ... are indeed initialized *once* ... *before* the training loop commences"),
    Claim("the weight retains its updated value from one iteration to the next",
          _retains_updates,
          quote="weights retain their updated values from one iteration to the next"),
    Claim("the weight is incrementally modified, never reset to its initial value",
          _never_reset,
          quote="it's not random, it's being incrementally modified"),
    Claim("the printed loss indicates the learning process: it decreases every iteration",
          _loss_decreases,
          quote="The printed loss value also indicates the learning process."),
]


@scenario(
    "train-loop-sgd",
    source=Source(ARTICLE, "Example 1: Basic Weight Initialization and Update"),
    claims=SGD_CLAIMS,
)
class TrainLoopSgd:
    """One random-normal weight fitted to y = 2x by SGD(0.1) for three iterations."""

    # The initial weight is random, and the graph and eager random streams differ, so the two
    # twins start from different values; Example 3 (train-loop-fixed) compares the modes.

    def graph(tf, obs):
        weight = tf.compat.v1.Variable(tf.random.normal(shape=(1,)), name="my_weight")
        x_data = tf.constant([1.0, 2.0, 3.0], dtype=tf.float32)
        y_data = tf.constant([2.0, 4.0, 6.0], dtype=tf.float32)
        y_pred = x_data * weight
        loss = tf.reduce_mean(tf.square(y_pred - y_data))
        gradients = tf.compat.v1.gradients(loss, [weight])
        optimizer = tf.compat.v1.train.GradientDescentOptimizer(learning_rate=0.1)
        train_op = optimizer.apply_gradients(zip(gradients, [weight]))
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())  # once, before the loop
            obs.record("initial_weight", float(sess.run(weight)[0]))
            for iteration in range(3):
                loss_value, grads, _ = sess.run([loss, gradients, train_op])
                obs.record(f"gradient_{iteration + 1}", float(grads[0][0]))
                obs.record(f"weight_{iteration + 1}", float(sess.run(weight)[0]))
                obs.record(f"loss_{iteration + 1}", float(loss_value))

    def eager(tf, obs):
        weight = tf.Variable(tf.random.normal(shape=(1,)), name="my_weight")

        def linear_operation(x):
            return x * weight

        def loss_function(y_pred, y_true):
            return tf.reduce_mean(tf.square(y_pred - y_true))

        optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)
        x_data = tf.constant([1.0, 2.0, 3.0], dtype=tf.float32)
        y_data = tf.constant([2.0, 4.0, 6.0], dtype=tf.float32)
        obs.record("initial_weight", float(weight.numpy()[0]))
        for iteration in range(3):
            with tf.GradientTape() as tape:
                y_pred = linear_operation(x_data)
                loss = loss_function(y_pred, y_data)
            gradients = tape.gradient(loss, [weight])
            optimizer.apply_gradients(zip(gradients, [weight]))
            obs.record(f"gradient_{iteration + 1}", float(gradients[0].numpy()[0]))
            obs.record(f"weight_{iteration + 1}", float(weight.numpy()[0]))
            obs.record(f"loss_{iteration + 1}", float(loss.numpy()))


@scenario(
    "train-loop-fixed",
    source=Source(ARTICLE, "Example 3: Explicit Initial Weight Values"),
    claims=[
        Claim("the weight starts at the fixed initial value 1.0",
              lambda o: value(o["initial_weight"]) == 1.0,
              quote="I use a fixed value for the initial weight"),
        *SGD_CLAIMS,
        Claim("the weight changes during training but is never reset back to 1.0",
              lambda o: all(value(o[f"weight_{k}"]) != 1.0 for k in range(1, ITERATIONS + 1)),
              quote="it changes during the training process but isn't ever reset back to the initial "
                    "`1.0` value"),
    ],
)
class TrainLoopFixed:
    """A [[1.0]] weight fitted to y = 2x by SGD(0.1) for three iterations; same start in both modes."""

    def graph(tf, obs):
        import numpy as np

        initial_weight_value = np.array([[1.0]], dtype=np.float32)
        weight = tf.compat.v1.Variable(initial_weight_value, name="my_weight")
        x_data = tf.constant([1.0, 2.0, 3.0], dtype=tf.float32)
        y_data = tf.constant([2.0, 4.0, 6.0], dtype=tf.float32)
        y_pred = x_data * weight
        loss = tf.reduce_mean(tf.square(y_pred - y_data))
        gradients = tf.compat.v1.gradients(loss, [weight])
        optimizer = tf.compat.v1.train.GradientDescentOptimizer(learning_rate=0.1)
        train_op = optimizer.apply_gradients(zip(gradients, [weight]))
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())  # once, before the loop
            obs.record("initial_weight", float(sess.run(weight)[0][0]))
            for iteration in range(3):
                loss_value, grads, _ = sess.run([loss, gradients, train_op])
                obs.record(f"gradient_{iteration + 1}", float(grads[0][0][0]))
                obs.record(f"weight_{iteration + 1}", float(sess.run(weight)[0][0]))
                obs.record(f"loss_{iteration + 1}", float(loss_value))

    def eager(tf, obs):
        import numpy as np

        initial_weight_value = np.array([[1.0]], dtype=np.float32)
        weight = tf.Variable(initial_weight_value, name="my_weight")

        def linear_operation(x):
            return x * weight

        def loss_function(y_pred, y_true):
            return tf.reduce_mean(tf.square(y_pred - y_true))

        optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)
        x_data = tf.constant([1.0, 2.0, 3.0], dtype=tf.float32)
        y_data = tf.constant([2.0, 4.0, 6.0], dtype=tf.float32)
        obs.record("initial_weight", float(weight.numpy()[0][0]))
        for iteration in range(3):
            with tf.GradientTape() as tape:
                y_pred = linear_operation(x_data)
                loss = loss_function(y_pred, y_data)
            gradients = tape.gradient(loss, [weight])
            optimizer.apply_gradients(zip(gradients, [weight]))
            obs.record(f"gradient_{iteration + 1}", float(gradients[0].numpy()[0][0]))
            obs.record(f"weight_{iteration + 1}", float(weight.numpy()[0][0]))
            obs.record(f"loss_{iteration + 1}", float(loss.numpy()))


ADAM_ITERATIONS = 2


@scenario(
    "train-loop-keras-adam",
    source=Source(ARTICLE, "Example 2: Observing Variable Persistence"),
    claims=[
        Claim("the weights are initialized during model creation, before the training loop",
              lambda o: value(o["variables_before_loop"]) > 0,
              quote="This initialization occurs during model creation, *before* the training loop "
                    "commences."),
        Claim("the kernel is not re-initialized at each iteration: each step starts from the "
              "previous step's updated kernel",
              lambda o: value(o["kernel_before_step_2"]) == value(o["kernel_after_step_1"]),
              quote="weights ... are not re-initialized at each iteration"),
        Claim("the kernel changes as a result of each optimization step",
              lambda o: all(value(o[f"kernel_after_step_{k}"]) != value(o[f"kernel_before_step_{k}"])
                            for k in range(1, ADAM_ITERATIONS + 1)),
              quote="The weights change as a result of optimization"),
        Claim("the kernel does not reset to its initial value after the gradient update",
              lambda o: all(value(o[f"kernel_after_step_{k}"]) != value(o["kernel_before_step_1"])
                            for k in range(1, ADAM_ITERATIONS + 1)),
              quote="they do not reset to an arbitrary value after the gradient update"),
    ],
)
class TrainLoopKerasAdam:
    """A Dense(1, random_normal, no bias) model trained by Adam(0.01) for two iterations."""

    # Recorded per step k: the kernel as the step begins (after the forward pass, before
    # apply_gradients), the kernel after it (what the article prints) and the loss. As in
    # train-loop-sgd, the random initial kernel differs between the modes' random streams.

    def graph(tf, obs):
        # Keras 3 layers do not work in a tf.Graph/Session: the kernel is a compat.v1 variable
        # with the initializer Keras's 'random_normal' names (normal, mean 0, stddev 0.05), the
        # model a matmul, the optimizer tf.compat.v1.train.AdamOptimizer run as a train op.
        # TF1 code builds every variable with the graph, before the session loop runs (where
        # Keras in eager builds the layer lazily, at its first call).
        kernel = tf.compat.v1.Variable(
            tf.compat.v1.random_normal_initializer(mean=0.0, stddev=0.05)(shape=(1, 1)), name="kernel")
        x = tf.constant([[1.0], [2.0], [3.0]], dtype=tf.float32)
        y = tf.constant([[2.0], [4.0], [6.0]], dtype=tf.float32)
        y_pred = tf.matmul(x, kernel)
        loss = tf.reduce_mean(tf.square(y - y_pred))
        optimizer = tf.compat.v1.train.AdamOptimizer(learning_rate=0.01)
        train_op = optimizer.minimize(loss, var_list=[kernel])
        obs.record("variables_before_loop", len(tf.compat.v1.trainable_variables()))
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for iteration in range(ADAM_ITERATIONS):
                obs.record(f"kernel_before_step_{iteration + 1}", float(sess.run(kernel)[0][0]))
                loss_value, _ = sess.run([loss, train_op])
                obs.record(f"kernel_after_step_{iteration + 1}", float(sess.run(kernel)[0][0]))
                obs.record(f"loss_{iteration + 1}", float(loss_value))

    def eager(tf, obs):
        class SimpleModel(tf.keras.Model):
            def __init__(self):
                super(SimpleModel, self).__init__()
                self.dense = tf.keras.layers.Dense(1, kernel_initializer="random_normal", use_bias=False)

            def call(self, inputs):
                return self.dense(inputs)

        model = SimpleModel()
        optimizer = tf.keras.optimizers.Adam(learning_rate=0.01)
        x = tf.constant([[1.0], [2.0], [3.0]], dtype=tf.float32)
        y = tf.constant([[2.0], [4.0], [6.0]], dtype=tf.float32)
        obs.record("variables_before_loop", len(model.trainable_variables))
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

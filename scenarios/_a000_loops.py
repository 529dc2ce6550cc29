"""Article 000's loops and claims, shared by its scenario modules (a helper: not a scenario module)."""

from lab.guest import Claim
from lab.guest.predicates import close, raised, unless_raised, value

ARTICLE = "000_8efaa3ae04d8cab7.txt"

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


def _adjusts(o):
    # The code ran and the optimizer moved the weight: what "the optimizer adjusts" means.
    return not raised(o["training_error"]) and value(o["weight_1"]) != value(o["initial_weight"])


def _ran(test):
    return unless_raised("training_error", test, "the training loop")


SGD_CLAIMS = [
    Claim("the optimizer uses the gradients to adjust the existing weight: apply_gradients changes it",
          _adjusts,
          quote="the optimizer uses these gradients to *adjust* the existing weights"),
    Claim("the weight is initialized once, before the loop: the first iteration starts from it",
          _ran(_starts_from_initial),
          quote="the weights ... are indeed initialized *once* ... *before* the training loop commences"),
    Claim("the weight retains its updated value from one iteration to the next",
          _ran(_retains_updates),
          quote="weights retain their updated values from one iteration to the next"),
    Claim("the weight is incrementally modified, never reset to its initial value",
          _ran(_never_reset),
          quote="it's not random, it's being incrementally modified"),
    Claim("the printed loss indicates the learning process: it decreases every iteration",
          _ran(_loss_decreases),
          quote="The printed loss value also indicates the learning process."),
]


def _first(array):
    """The first element of a weight as a plain float: the article prints weight[0] or [0][0]."""
    import numpy as np

    return float(np.asarray(array).reshape(-1)[0])


def graph_loop(tf, obs, weight, optimizer, tape=True):
    """The article's loop under a Session: one iteration's ops built once, then three runs.

    `tape=False` takes the gradient with tf.compat.v1.gradients, the TF1 way, which a TF1
    reference variable needs (a tape cannot watch one).
    """
    x_data = tf.constant([1.0, 2.0, 3.0], dtype=tf.float32)
    y_data = tf.constant([2.0, 4.0, 6.0], dtype=tf.float32)
    with obs.catch("training_error"):
        with tf.GradientTape() as tape_:
            y_pred = x_data * weight
            loss = tf.reduce_mean(tf.square(y_pred - y_data))
        gradients = tape_.gradient(loss, [weight]) if tape else tf.compat.v1.gradients(loss, [weight])
        train_op = optimizer.apply_gradients(zip(gradients, [weight]))
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())  # once, before the loop
            obs.record("initial_weight", _first(sess.run(weight)))
            for iteration in range(3):
                loss_value, grads = sess.run([loss, gradients])  # the forward pass, before the update
                sess.run(train_op)
                obs.record(f"gradient_{iteration + 1}", _first(grads[0]))
                obs.record(f"weight_{iteration + 1}", _first(sess.run(weight)))
                obs.record(f"loss_{iteration + 1}", float(loss_value))


def eager_loop(tf, obs, weight, optimizer):
    """The article's loop as written, eagerly."""
    def linear_operation(x):
        return x * weight

    def loss_function(y_pred, y_true):
        return tf.reduce_mean(tf.square(y_pred - y_true))

    x_data = tf.constant([1.0, 2.0, 3.0], dtype=tf.float32)
    y_data = tf.constant([2.0, 4.0, 6.0], dtype=tf.float32)
    obs.record("initial_weight", _first(weight.numpy()))
    with obs.catch("training_error"):
        for iteration in range(3):
            with tf.GradientTape() as tape:
                y_pred = linear_operation(x_data)
                loss = loss_function(y_pred, y_data)
            gradients = tape.gradient(loss, [weight])
            optimizer.apply_gradients(zip(gradients, [weight]))
            obs.record(f"gradient_{iteration + 1}", _first(gradients[0].numpy()))
            obs.record(f"weight_{iteration + 1}", _first(weight.numpy()))
            obs.record(f"loss_{iteration + 1}", float(loss.numpy()))


FIXED_CLAIMS = [
    Claim("the weight starts at the fixed initial value 1.0",
          lambda o: value(o["initial_weight"]) == 1.0,
          quote="I use a fixed value for the initial weight"),
    *SGD_CLAIMS,
    Claim("the weight changes during training but is never reset back to 1.0",
          lambda o: not raised(o["training_error"])
          and all(value(o[f"weight_{k}"]) != 1.0 for k in range(1, ITERATIONS + 1)),
          quote="it changes during the training process but isn't ever reset back to the initial `1.0` value"),
]


ADAM_ITERATIONS = 2


def _kernel_changes(o):
    steps = range(1, ADAM_ITERATIONS + 1)
    return not raised(o["training_error"]) and all(
        value(o[f"kernel_after_step_{k}"]) != value(o[f"kernel_before_step_{k}"]) for k in steps)


ADAM_CLAIMS = [
    Claim("the weights are initialized during model creation, before the training loop",
          lambda o: value(o["variables_before_loop"]) > 0,
          quote="This initialization occurs during model creation, *before* the training loop commences."),
    Claim("the kernel is not re-initialized at each iteration: each step starts from the "
          "previous step's updated kernel",
          _ran(lambda o: value(o["kernel_before_step_2"]) == value(o["kernel_after_step_1"])),
          quote="weights ... are not re-initialized at each iteration"),
    Claim("the kernel changes as a result of each optimization step",
          _kernel_changes,
          quote="The weights change as a result of optimization"),
    Claim("the kernel does not reset to its initial value after the gradient update",
          _ran(lambda o: all(value(o[f"kernel_after_step_{k}"]) != value(o["kernel_before_step_1"])
                             for k in range(1, ADAM_ITERATIONS + 1))),
          quote="they do not reset to an arbitrary value after the gradient update"),
]


def simple_model(tf):
    """The article's model class (it subclasses tf.keras.Model, so it is made per TensorFlow)."""
    class SimpleModel(tf.keras.Model):
        def __init__(self):
            super(SimpleModel, self).__init__()  # noqa: UP008 (the article's code)
            self.dense = tf.keras.layers.Dense(1, kernel_initializer='random_normal', use_bias=False)

        def call(self, inputs):
            return self.dense(inputs)

    return SimpleModel



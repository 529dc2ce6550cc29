"""Article 000's loops and claims, shared by its scenario modules (a helper: not a scenario module)."""

from lab.guest import Claim
from lab.guest.catalog import Premise
from lab.guest.predicates import close, raised, raised_message, runs_to_the_end, value

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
    return all(w[k] != w[0] for k in range(1, ITERATIONS + 1))


def _loss_decreases(o):
    losses = [value(o[f"loss_{k}"]) for k in range(1, ITERATIONS + 1)]
    return all(a > b for a, b in zip(losses, losses[1:]))


def _moves(values):
    if len(set(values)) == 1:
        return f"stays at {values[0]:.6g}"
    return "goes " + " -> ".join(f"{v:.6g}" for v in values)


def _updated(o):
    # The code ran and the optimizer moved the weight at every iteration: what "the optimizer
    # adjusts the existing weights" means, and what the claims about updated weights take for granted.
    if raised(o["training_error"]):
        return False
    w = _weights(o)
    return all(w[k] != w[k - 1] for k in range(1, ITERATIONS + 1))


def _weight_seen(o):
    if raised(o["training_error"]):
        return f"the training loop raises {raised_message(o['training_error'])}"
    return f"through apply_gradients the weight {_moves(_weights(o))} over the {ITERATIONS} iterations"


# The claims about an updated weight (it is retained, never reset, the loss shows learning) take
# the update for granted: where the optimizer did not change the weight, or the loop raised,
# they are INCONCLUSIVE naming it, and the claim that states it (the optimizer adjusts) is judged.
RUNS = runs_to_the_end("training_error", "the training loop")
UPDATED = Premise("the optimizer changes the weight at every iteration", _updated, _weight_seen)

SGD_CLAIMS = [
    Claim("the optimizer uses the gradients to adjust the existing weight: apply_gradients changes it",
          _updated,
          quote="the optimizer uses these gradients to *adjust* the existing weights"),
    Claim("the weight is initialized once, before the loop: the first iteration starts from it",
          _starts_from_initial, premise=RUNS,
          quote="the weights ... are indeed initialized *once* ... *before* the training loop commences"),
    Claim("the weight retains its updated value from one iteration to the next",
          _retains_updates, premise=UPDATED,
          quote="weights retain their updated values from one iteration to the next"),
    Claim("the weight is incrementally modified, never reset to its initial value",
          _never_reset, premise=UPDATED,
          quote="it's not random, it's being incrementally modified"),
    Claim("the printed loss indicates the learning process: it decreases every iteration",
          _loss_decreases, premise=UPDATED,
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
          lambda o: all(value(o[f"weight_{k}"]) != 1.0 for k in range(1, ITERATIONS + 1)), premise=UPDATED,
          quote="it changes during the training process but isn't ever reset back to the initial `1.0` value"),
]


ADAM_ITERATIONS = 2


def _kernels(o):
    """[k_0, k_1, ..., k_n]: the kernel as the first step begins, then after each step."""
    return [value(o["kernel_before_step_1"])] + [value(o[f"kernel_after_step_{k}"])
                                                 for k in range(1, ADAM_ITERATIONS + 1)]


def _kernel_changes(o):
    steps = range(1, ADAM_ITERATIONS + 1)
    return not raised(o["training_error"]) and all(
        value(o[f"kernel_after_step_{k}"]) != value(o[f"kernel_before_step_{k}"]) for k in steps)


def _kernel_seen(o):
    if raised(o["training_error"]):
        return f"the training loop raises {raised_message(o['training_error'])}"
    return f"through apply_gradients the kernel {_moves(_kernels(o))} over the {ADAM_ITERATIONS} steps"


KERNEL_UPDATED = Premise("the optimizer changes the kernel at every step", _kernel_changes, _kernel_seen)

ADAM_CLAIMS = [
    Claim("the weights are initialized during model creation, before the training loop",
          lambda o: value(o["variables_before_loop"]) > 0,
          quote="This initialization occurs during model creation, *before* the training loop commences."),
    Claim("the kernel is not re-initialized at each iteration: each step starts from the "
          "previous step's updated kernel",
          lambda o: value(o["kernel_before_step_2"]) == value(o["kernel_after_step_1"]), premise=KERNEL_UPDATED,
          quote="weights ... are not re-initialized at each iteration"),
    Claim("the kernel changes as a result of each optimization step",
          _kernel_changes,
          quote="The weights change as a result of optimization"),
    Claim("the kernel does not reset to its initial value after the gradient update",
          lambda o: all(value(o[f"kernel_after_step_{k}"]) != value(o["kernel_before_step_1"])
                        for k in range(1, ADAM_ITERATIONS + 1)), premise=KERNEL_UPDATED,
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



"""Article 003: zero initialization, and the Glorot and He formulas as the article states them."""

import math

from lab.guest import Claim, Source, scenario
from lab.guest.measure import fit_report, spans, std_matches

ARTICLE = "003_08d97d8d132930d0.txt"

# The article's two layer shapes, and the fans (fan_in, fan_out) of one large layer so the
# goodness-of-fit tests have power. Observation keys name the fans: NAME_<fan_in>x<fan_out>.
SHAPES = ((784, 128), (128, 10), (2000, 2000))

# What is drawn for each fans: the layer's own shape, except for the large layer. A 2000x2000
# kernel is 4 million values, and drawing them (in both twins, in every env) was most of the
# catalog's time. TensorFlow's initializers (tf.compat.v1 and Keras alike) take the fans of a
# kernel of rank 3 or more as fan_in = receptive field x shape[-2], fan_out = receptive field x
# shape[-1], so a (40, 50, 50) kernel has fan_in = fan_out = 2000: the very formula and
# distribution of a 2000x2000 layer, each value drawn alike, in 100,000 values.
#
# Power: the claims must tell a normal from the truncated normal TensorFlow draws (cut at 2
# sigma, rescaled to the same std): sup |F - G| = 0.0167, at x = -0.85 std, where G = 0.214.
# At ALPHA = 1e-4 the KS critical value is 2.225 / sqrt(n). The empirical CDF at that one point
# is already N(G, G (1 - G) / n), so the test misses the difference with probability at most
# P(Z > (0.0167 sqrt(n) - 2.225) / 0.410): 1e-4 for n = 50,000, 6e-14 for n = 100,000.
DRAWN = {(2000, 2000): (40, 50, 50)}


def _drawn(shape):
    return DRAWN.get(shape, shape)


def _key(name, shape):
    return f"{name}_{shape[0]}x{shape[1]}"


def _all(o, name, test):
    return all(test(o[_key(name, shape)], shape) for shape in SHAPES)


# --- Zero initialization -------------------------------------------------------------------
# A 4 -> 8 -> 1 network trained by 10 full-batch SGD steps from three starts: all zeros, all
# weights identical (0.5), and random. Data and starting weights come from numpy, which the lab
# seeds before each twin, so both twins train the very same network. The claims are about
# symmetry, which one step keeps or breaks exactly as twenty do; 10 steps show the weights
# moving (w1_change) and the loss curve in the report, at half the cost of the 20 first used.

STARTS = ("zeros", "constant", "random")
ACTIVATIONS = ("relu", "tanh")
STEPS, LEARNING_RATE = 10, 0.1


def _data(np):
    x = np.random.normal(size=(32, 4)).astype("float32")
    y = np.sin(x @ np.array([[1.0], [-2.0], [0.5], [1.5]])).astype("float32")
    return x, y


def _start(np, how):
    if how == "random":
        return np.random.normal(0, 0.5, (4, 8)).astype("float32"), np.random.normal(0, 0.5, (8, 1)).astype("float32")
    fill = 0.0 if how == "zeros" else 0.5
    return np.full((4, 8), fill, "float32"), np.full((8, 1), fill, "float32")


def _training_report(np, w1_start, w2_start, w1, b1, w2, losses):
    # One column per hidden unit: its incoming weights, its bias and its outgoing weight.
    units = np.concatenate([w1, b1[None, :], w2.T]).astype("float64")
    return {"unit_spread": float(np.max(np.abs(units - units[:, :1]))),
            "w1_change": float(np.max(np.abs(w1 - w1_start))),
            "w2_change": float(np.max(np.abs(w2 - w2_start))),
            "loss_first": float(losses[0]), "loss_last": float(losses[-1]),
            "losses": [float(v) for v in losses]}  # per step, for the report's trajectory plot


def _same(o, starts, test):
    return all(test(o[f"{start}_{act}"]) for start in starts for act in ACTIVATIONS)


@scenario(
    "init-zero-symmetry",
    source=Source(ARTICLE, "1. Zero Initialization"),
    tags=["initializer", "training"],
    claims=[
        Claim("with all weights zero, all neurons within a layer learn the same function",
              lambda o: _same(o, ["zeros"], lambda r: r["unit_spread"] <= 1e-6),
              quote="Setting all weights to zero ... leads to a critical problem: all neurons within a "
                    "layer learn the same function."),
        Claim("if all weights are identical at the beginning, backpropagation updates them identically",
              lambda o: _same(o, ["constant"], lambda r: r["w1_change"] > 0 and r["unit_spread"] <= 1e-6),
              quote="If all weights are identical at the beginning, backpropagation will update them "
                    "identically across the layer"),
        Claim("random initialization introduces asymmetry, breaking the symmetry between the neurons",
              lambda o: _same(o, ["random"], lambda r: r["unit_spread"] > 1e-3),
              quote="they introduce asymmetry into the weights, breaking the symmetry"),
    ],
)
class ZeroSymmetry:
    """Train 4 -> 8 -> 1 from zeros, identical and random weights; do the hidden units stay alike?"""

    def graph(tf, obs):
        import numpy as np

        x, y = _data(np)
        for start in STARTS:
            w1_start, w2_start = _start(np, start)
            for act in ACTIVATIONS:
                w1, b1 = tf.compat.v1.Variable(w1_start), tf.compat.v1.Variable(tf.zeros([8]))
                w2, b2 = tf.compat.v1.Variable(w2_start), tf.compat.v1.Variable(tf.zeros([1]))
                hidden = getattr(tf.nn, act)(tf.matmul(x, w1) + b1)
                loss = tf.reduce_mean(tf.square(tf.matmul(hidden, w2) + b2 - y))
                train_op = tf.compat.v1.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss)
                with tf.compat.v1.Session() as sess:
                    sess.run(tf.compat.v1.global_variables_initializer())
                    losses = []
                    for _ in range(STEPS):
                        losses.append(sess.run(loss))  # its own run: a fetch beside train_op has no order
                        sess.run(train_op)
                    losses.append(sess.run(loss))
                    obs.record(f"{start}_{act}", _training_report(np, w1_start, w2_start, *sess.run([w1, b1, w2]),
                                                                  losses))

    def eager(tf, obs):
        import numpy as np

        x, y = _data(np)
        for start in STARTS:
            w1_start, w2_start = _start(np, start)
            for act in ACTIVATIONS:
                w1, b1 = tf.Variable(w1_start), tf.Variable(tf.zeros([8]))
                w2, b2 = tf.Variable(w2_start), tf.Variable(tf.zeros([1]))
                variables = [w1, b1, w2, b2]
                optimizer = tf.keras.optimizers.SGD(learning_rate=LEARNING_RATE)
                losses = []
                for _ in range(STEPS + 1):
                    with tf.GradientTape() as tape:
                        hidden = getattr(tf.nn, act)(tf.matmul(x, w1) + b1)
                        loss = tf.reduce_mean(tf.square(tf.matmul(hidden, w2) + b2 - y))
                    losses.append(loss.numpy())
                    if len(losses) <= STEPS:
                        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
                obs.record(f"{start}_{act}", _training_report(np, w1_start, w2_start, w1.numpy(), b1.numpy(),
                                                              w2.numpy(), losses))


# --- Glorot and He ---------------------------------------------------------------------------
# Each initializer draws the article's shapes and a kernel of fans 2000x2000; fit_report records the
# summary statistics and Kolmogorov-Smirnov tests (alpha 1e-4) against the distribution the
# article names, and against the truncated normal TensorFlow's docstrings name for the normal
# variants (cut at 2 sigma, rescaled so that the std is still the formula's).


def glorot_limit(shape):
    return math.sqrt(6 / (shape[0] + shape[1]))


def glorot_std(shape):
    return math.sqrt(2 / (shape[0] + shape[1]))


def he_limit(shape):
    return math.sqrt(6 / shape[0])


def he_std(shape):
    return math.sqrt(2 / shape[0])


def _formula_claims(prefix, limit, std, limit_text, std_text, quotes):
    return [
        Claim(f"{prefix.capitalize()} uniform samples from [-limit, limit] with limit = {limit_text}",
              lambda o: _all(o, f"{prefix}_uniform", lambda fit, s: spans(fit, limit(s))), quote=quotes[0]),
        Claim(f"{prefix.capitalize()} uniform samples uniformly in that range",
              lambda o: _all(o, f"{prefix}_uniform", lambda fit, s: not fit["rejects_uniform"]), quote=quotes[0]),
        Claim(f"{prefix.capitalize()} normal has mean 0 and standard deviation {std_text}",
              lambda o: _all(o, f"{prefix}_normal", lambda fit, s: std_matches(fit, std(s))), quote=quotes[1]),
        Claim(f"{prefix.capitalize()} normal samples from a normal distribution",
              lambda o: _all(o, f"{prefix}_normal", lambda fit, s: not fit["rejects_normal"]), quote=quotes[1]),
    ]


@scenario(
    "init-glorot-formulas",
    source=Source(ARTICLE, "3. Glorot Initialization (Xavier Initialization)"),
    tags=["initializer", "statistics"],
    claims=_formula_claims(
        "glorot", glorot_limit, glorot_std, "sqrt(6 / (fan_in + fan_out))",
        "sqrt(2 / (fan_in + fan_out))",
        ["Samples weights uniformly from `[-limit, limit]`, where `limit = sqrt(6 / (fan_in + fan_out))`.",
         ("Samples weights from a normal distribution with mean 0 and standard deviation "
          "`sqrt(2 / (fan_in + fan_out))`.")]),
)
class GlorotFormulas:
    """Glorot uniform and normal kernels of 784x128, 128x10 and fans 2000x2000 against the article's formulas."""

    def graph(tf, obs):
        uniform = tf.compat.v1.glorot_uniform_initializer()
        normal = tf.compat.v1.glorot_normal_initializer()
        with tf.compat.v1.Session() as sess:
            for shape in SHAPES:
                kernel = sess.run(uniform(_drawn(shape)))
                obs.record(_key("glorot_uniform", shape), fit_report(kernel, uniform_limit=glorot_limit(shape)))
                kernel = sess.run(normal(_drawn(shape)))
                obs.record(_key("glorot_normal", shape), fit_report(kernel, normal_std=glorot_std(shape)))

    def eager(tf, obs):
        for shape in SHAPES:
            # A fresh instance per kernel, as each layer gets: an unseeded Keras (2.10+) initializer
            # instance returns the same values every time it is called.
            kernel = tf.keras.initializers.GlorotUniform()(_drawn(shape)).numpy()
            obs.record(_key("glorot_uniform", shape), fit_report(kernel, uniform_limit=glorot_limit(shape)))
            kernel = tf.keras.initializers.GlorotNormal()(_drawn(shape)).numpy()
            obs.record(_key("glorot_normal", shape), fit_report(kernel, normal_std=glorot_std(shape)))


@scenario(
    "init-he-formulas",
    source=Source(ARTICLE, "4. He Initialization (Kaiming Initialization)"),
    tags=["initializer", "statistics"],
    claims=_formula_claims(
        "he", he_limit, he_std, "sqrt(6 / fan_in)", "sqrt(2 / fan_in)",
        ["Samples weights uniformly from `[-limit, limit]`, where `limit = sqrt(6 / fan_in)`.",
         "Samples weights from a normal distribution with mean 0 and standard deviation `sqrt(2 / fan_in)`."]),
)
class HeFormulas:
    """He uniform and normal kernels of 784x128, 128x10 and fans 2000x2000 against the article's formulas."""

    def graph(tf, obs):
        # TF1 exports He only under tf.compat.v1.initializers (init_ops.he_uniform / he_normal).
        uniform = tf.compat.v1.initializers.he_uniform()
        normal = tf.compat.v1.initializers.he_normal()
        with tf.compat.v1.Session() as sess:
            for shape in SHAPES:
                kernel = sess.run(uniform(_drawn(shape)))
                obs.record(_key("he_uniform", shape), fit_report(kernel, uniform_limit=he_limit(shape)))
                kernel = sess.run(normal(_drawn(shape)))
                obs.record(_key("he_normal", shape), fit_report(kernel, normal_std=he_std(shape)))

    def eager(tf, obs):
        for shape in SHAPES:
            kernel = tf.keras.initializers.HeUniform()(_drawn(shape)).numpy()
            obs.record(_key("he_uniform", shape), fit_report(kernel, uniform_limit=he_limit(shape)))
            kernel = tf.keras.initializers.HeNormal()(_drawn(shape)).numpy()
            obs.record(_key("he_normal", shape), fit_report(kernel, normal_std=he_std(shape)))

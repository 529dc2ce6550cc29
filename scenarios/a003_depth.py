"""Article 003: Glorot, He and unscaled initialization measured through a deep stack of layers."""

from lab.guest import Claim, Source, scenario

ARTICLE = "003_08d97d8d132930d0.txt"

# "Underperform" and "performs well" are not measured by training here: the article's own
# rationale is the scale of the signal through depth, so the claims read the standard deviation
# of the activations of a 50-layer stack of width 256 (no biases) fed one fixed batch, at layers
# 1, 10, 25 and 50. "Same order" means the last layer's std within 10x of the first layer's.
#
# Depth (50) and width (256, the fan of every layer) are what the claims state; the batch is
# only how many inputs measure each layer, and the matmuls' cost grows with it. 32 rows give
# 8,192 values per layer: a layer's std to 1% (1 / sqrt(2 n)), and a saturated fraction to
# 0.004 (sqrt(p (1 - p) / n)), against margins of 10x (std ratios), and of 0.37 and 0.09 for
# the saturated fractions (tanh: 0.87 unscaled against the claim's 0.5, 0.008 with Glorot
# against 0.1; sigmoid unscaled: 0.77). What varies between seeds is the 50 kernels, not the
# batch: He through 50 ReLU layers ends within 2x of layer 1 (the claim allows 10x).
DEPTH, WIDTH, BATCH = 50, 256, 32
PROFILE = (1, 10, 25, 50)
SATURATED = 0.99  # of the half range: the unit sits on a flat part
CONFIGS = (("relu", "glorot_uniform"), ("relu", "he_normal"), ("relu", "unscaled_normal"),
           ("tanh", "glorot_uniform"), ("tanh", "unscaled_normal"),
           ("sigmoid", "glorot_uniform"), ("sigmoid", "unscaled_normal"))
# How far from the centre of its range a saturated unit's output is: |tanh| > 0.99, and a
# sigmoid below 0.01 or above 0.99 (|sigmoid - 0.5| > 0.49); both have a gradient below 0.02 there.
CENTRE = {"tanh": 0.0, "sigmoid": 0.5}
HALF_RANGE = {"tanh": 1.0, "sigmoid": 0.5}


def _batch(np):
    # numpy is seeded by the lab before each twin: both twins feed the same batch.
    return np.random.normal(size=(BATCH, WIDTH)).astype("float32")


def _profile(np, activation, layers):
    with np.errstate(invalid="ignore", over="ignore"):  # unscaled weights overflow to inf, then nan
        stds = [float(np.std(h.astype("float64"))) for h in layers]
    first, last = stds[0], stds[-1]
    out = {f"std_layer_{d}": stds[d - 1] for d in PROFILE}
    out["std_per_layer"] = stds  # every layer's, for the report's plot; the claims read the profile
    out["last_over_first"] = last / first
    out["vanished"] = bool(last < 1e-3 * first)
    out["exploded"] = bool(not np.isfinite(last) or last > 1e3 * first)
    if activation in CENTRE:
        for d in (1, DEPTH):
            distance = np.abs(layers[d - 1] - CENTRE[activation])
            out[f"saturated_layer_{d}"] = float(np.mean(distance > SATURATED * HALF_RANGE[activation]))
    return out


def _well(report):
    return _same_order(report) and report["saturated_layer_1"] < 0.1 and report["saturated_layer_50"] < 0.1


def _same_order(report):
    ratio = report["last_over_first"]
    return isinstance(ratio, float) and 0.1 <= ratio <= 10


@scenario(
    "init-depth-activation-scale",
    source=Source(ARTICLE, "3./4.: Glorot with sigmoid/tanh vs ReLU, and He with ReLU"),
    tags=["initializer", "statistics"],
    claims=[
        Claim("Glorot tends to underperform with ReLU (measured: through 50 ReLU layers its activations "
              "shrink, the std at layer 50 below 1/10 of layer 1's)",
              lambda o: o["relu_glorot_uniform"]["last_over_first"] < 0.1,
              quote="Glorot initialization ... tends to underperform with ReLU functions."),
        Claim("He performs consistently well with ReLU (measured: through 50 ReLU layers the activations' "
              "std stays within 10x of layer 1's)",
              lambda o: _same_order(o["relu_he_normal"]),
              quote="He initialization has been shown to perform consistently well with ReLU and its variants"),
        Claim("Glorot performs well with tanh (measured: through 50 tanh layers the activations' std stays "
              "within 10x of layer 1's, and fewer than 10% of units are saturated at layers 1 and 50)",
              lambda o: _well(o["tanh_glorot_uniform"]),
              quote="Glorot initialization performs well with sigmoid and tanh activation functions"),
        Claim("Glorot performs well with sigmoid (measured: through 50 sigmoid layers the activations' std "
              "stays within 10x of layer 1's, and fewer than 10% of units are saturated at layers 1 and 50)",
              lambda o: _well(o["sigmoid_glorot_uniform"]),
              quote="Glorot initialization performs well with sigmoid and tanh activation functions"),
        Claim("unscaled random initialization with many inputs (256, std 1) pushes tanh units into their "
              "saturated regions: most first-layer units have |tanh| > 0.99",
              lambda o: o["tanh_unscaled_normal"]["saturated_layer_1"] > 0.5,
              quote="with unscaled random initialization, large numbers of input connections can result in "
                    "exceedingly large initial sums in the hidden neurons, pushing them to their saturated regions"),
        Claim("unscaled random initialization with many inputs (256, std 1) pushes sigmoid units into their "
              "saturated regions: most first-layer units have a sigmoid below 0.01 or above 0.99",
              lambda o: o["sigmoid_unscaled_normal"]["saturated_layer_1"] > 0.5,
              quote="pushing them to their saturated regions (for activations like sigmoid or tanh)"),
    ],
)
class DepthActivationScale:
    """Activation std through 50 width-256 layers under Glorot, He and unscaled N(0, 1) kernels."""

    def graph(tf, obs):
        import numpy as np

        x = tf.constant(_batch(np))
        initializers = {"glorot_uniform": tf.compat.v1.glorot_uniform_initializer(),
                        "he_normal": tf.compat.v1.initializers.he_normal(),
                        "unscaled_normal": tf.compat.v1.random_normal_initializer(stddev=1.0)}
        with tf.compat.v1.Session() as sess:
            for activation, name in CONFIGS:
                # The stack as a graph loop: the layer's initializer op sits in tf.scan's body and
                # draws a new kernel each time the loop runs it, once per layer. (Fifty separate
                # random ops per stack made the graph twin the catalog's slowest trial: building
                # 350 initializer calls' ops and optimizing the graph took seconds, the maths
                # milliseconds.) The output is every layer's activations, stacked.
                def layer(h, _, activation=activation, name=name):
                    return getattr(tf.nn, activation)(tf.matmul(h, initializers[name]([WIDTH, WIDTH])))

                # One iteration at a time: the random op does not depend on the previous layer, so
                # with parallel iterations the loop could draw layer 3's kernel before layer 2's,
                # and which kernel lands in which layer would change from run to run.
                stack = tf.scan(layer, tf.range(DEPTH), initializer=x, parallel_iterations=1)
                obs.record(f"{activation}_{name}", _profile(np, activation, list(sess.run(stack))))

    def eager(tf, obs):
        import numpy as np

        x = tf.constant(_batch(np))
        initializers = {"glorot_uniform": tf.keras.initializers.GlorotUniform,
                        "he_normal": tf.keras.initializers.HeNormal,
                        "unscaled_normal": lambda: tf.keras.initializers.RandomNormal(stddev=1.0)}
        for activation, name in CONFIGS:
            h, layers = x, []
            for _ in range(DEPTH):
                # A new instance per layer: an unseeded Keras (2.10+) initializer instance returns
                # the same values every time it is called.
                kernel = initializers[name]()((WIDTH, WIDTH))
                h = getattr(tf.nn, activation)(tf.matmul(h, kernel))
                layers.append(h.numpy())
            obs.record(f"{activation}_{name}", _profile(np, activation, layers))

"""Article 003: what the default initializers of Dense and tf.compat.v1.get_variable draw, ReLU layers too."""

import math

from lab.guest import Claim, Source, scenario
from lab.guest.measure import fit_report, spans, std_matches
from lab.guest.predicates import stat

ARTICLE_003 = "003_08d97d8d132930d0.txt"
SHAPES = ((784, 128), (128, 10))

# No initializer given: a Dense layer's kernel and bias (built for each shape), and
# tf.compat.v1.get_variable for a "kernel" of each shape and a "bias" of 128. Each kernel's
# fit_report is against Glorot uniform's limit for its shape, the biases are recorded as drawn.


def glorot_limit(shape):
    return math.sqrt(6 / (shape[0] + shape[1]))


def _key(what, shape):
    return f"{what}_{shape[0]}x{shape[1]}"


def _fan_scaled(o, what):
    # Each shape's kernel spans Glorot's limit for that shape (0.081 and 0.2): scaled by the fans.
    return all(spans(o[_key(what, s)], glorot_limit(s)) and not o[_key(what, s)]["rejects_uniform"] for s in SHAPES)


def _zero(o, key):
    return stat(o[key], "min") == stat(o[key], "max") == 0.0


@scenario(
    "init-defaults",
    source=Source(ARTICLE_003, "The default initialization; bias terms (Dense and compat.v1.get_variable)"),
    tags=["initializer", "keras"],
    claims=[
        Claim("the default initialization is based on a uniform or normal distribution with a narrow range "
              "(Dense's default kernel: uniform, every value within [-0.25, 0.25])",
              lambda o: all(o[_key("dense_kernel", s)]["max_abs"] <= 0.25 and not o[_key("dense_kernel", s)]
                            ["rejects_uniform"] for s in SHAPES),
              quote="The default initialization, typically based on a uniform or normal distribution with "
                    "narrow ranges"),
        Claim("the default is no deliberate initialization strategy: Dense's default kernel is not scaled "
              "by fan-in and fan-out as Glorot's is",
              lambda o: not _fan_scaled(o, "dense_kernel"),
              quote="without a deliberate initialization strategy, the initial outputs of neurons might tend "
                    "toward zero or extreme values"),
        Claim("the default is no deliberate initialization strategy: tf.compat.v1.get_variable's default is not "
              "scaled by fan-in and fan-out as Glorot's is",
              lambda o: not _fan_scaled(o, "get_variable_kernel"),
              quote="without a deliberate initialization strategy, the initial outputs of neurons might tend "
                    "toward zero or extreme values"),
        Claim("bias terms are initialized to zero: Dense's default bias",
              lambda o: _zero(o, "dense_bias"),
              quote="Bias terms are often initialized to zero"),
        # What the article speaks of is a layer's bias (#4). A variable that is only named "bias"
        # is not one to TensorFlow: what it gets is a separate fact, worded as such.
        Claim("biases are configured separately via a layer's bias_initializer: a variable merely named 'bias' "
              "(tf.compat.v1.get_variable, no initializer) is not zero, it gets the default initializer",
              lambda o: not _zero(o, "get_variable_bias"),
              quote="typically configured separately via the `bias_initializer` parameter"),
    ],
)
class InitDefaults:
    """Dense and tf.compat.v1.get_variable with no initializer: 784x128 and 128x10 kernels, a 128 bias."""

    def graph(tf, obs):
        dense = {s: tf.keras.layers.Dense(s[1]) for s in SHAPES}
        for s, layer in dense.items():
            layer.build((None, s[0]))
        kernels = {s: tf.compat.v1.get_variable(_key("kernel", s), shape=s) for s in SHAPES}
        bias = tf.compat.v1.get_variable("bias", shape=[128])
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for s in SHAPES:
                kernel = sess.run(tf.convert_to_tensor(dense[s].kernel))
                obs.record(_key("dense_kernel", s), fit_report(kernel, uniform_limit=glorot_limit(s)))
                kernel = sess.run(kernels[s])
                obs.record(_key("get_variable_kernel", s), fit_report(kernel, uniform_limit=glorot_limit(s)))
            obs.record("dense_bias", sess.run(tf.convert_to_tensor(dense[SHAPES[0]].bias)))
            obs.record("get_variable_bias", sess.run(bias))

    def eager(tf, obs):
        dense = {s: tf.keras.layers.Dense(s[1]) for s in SHAPES}
        for s, layer in dense.items():
            layer.build((None, s[0]))
        kernels = {s: tf.compat.v1.get_variable(_key("kernel", s), shape=s) for s in SHAPES}
        bias = tf.compat.v1.get_variable("bias", shape=[128])
        for s in SHAPES:
            obs.record(_key("dense_kernel", s), fit_report(dense[s].kernel.numpy(), uniform_limit=glorot_limit(s)))
            obs.record(_key("get_variable_kernel", s), fit_report(kernels[s].numpy(), uniform_limit=glorot_limit(s)))
        obs.record("dense_bias", dense[SHAPES[0]].bias.numpy())
        obs.record("get_variable_bias", bias.numpy())


# --- "He ... the default for these activation functions" ---------------------------------------
# A Dense(512, activation='relu') layer on 128 inputs with no kernel_initializer: He's scale
# (uniform or normal alike) has std sqrt(2 / fan_in) = 0.125 there, Glorot's sqrt(2 / (fan_in +
# fan_out)) = 0.056. Recorded: the kernel's fit_report against He uniform and He normal, and the
# default initializer's class name.
RELU_FAN_IN, RELU_UNITS = 128, 512


def he_std(fan_in):
    return math.sqrt(2 / fan_in)


@scenario(
    "init-relu-default",
    source=Source(ARTICLE_003, "4. He Initialization: the default for ReLU"),
    tags=["initializer", "keras"],
    claims=[
        Claim("He initialization is the default for ReLU: Dense(activation='relu') with no kernel_initializer "
              "draws its kernel with He's scale, std sqrt(2 / fan_in)",
              lambda o: std_matches(o["relu_kernel"], he_std(RELU_FAN_IN)),
              quote="He initialization ... is now generally considered to be the default for these activation "
                    "functions."),
    ],
)
class InitReluDefault:
    """Dense(512, activation='relu') on 128 inputs, no kernel_initializer: which scale does its kernel have?"""

    def graph(tf, obs):
        layer = tf.keras.layers.Dense(RELU_UNITS, activation='relu')
        layer.build((None, RELU_FAN_IN))
        obs.record("kernel_initializer", type(layer.kernel_initializer).__name__)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            kernel = sess.run(tf.convert_to_tensor(layer.kernel))
        obs.record("relu_kernel", fit_report(kernel, uniform_limit=math.sqrt(6 / RELU_FAN_IN),
                                             normal_std=he_std(RELU_FAN_IN)))

    def eager(tf, obs):
        layer = tf.keras.layers.Dense(RELU_UNITS, activation='relu')
        layer.build((None, RELU_FAN_IN))
        obs.record("kernel_initializer", type(layer.kernel_initializer).__name__)
        obs.record("relu_kernel", fit_report(layer.kernel.numpy(), uniform_limit=math.sqrt(6 / RELU_FAN_IN),
                                             normal_std=he_std(RELU_FAN_IN)))

"""Article 003: the three Keras examples as written, and the commentary on biases and other layers."""

import math
import warnings

from lab.guest import Claim, Source, scenario
from lab.guest.measure import fit_report, ks_critical, ks_two_sample, spans, std_matches
from lab.guest.predicates import raised, raised_message, stat, value

ARTICLE = "003_08d97d8d132930d0.txt"

# The examples are TF2 code: Sequential models whose kernels are read with .numpy(). Each twin
# runs them literally under `runs_as_written` (a graph has no .numpy(): the article never runs them
# there, so in the graph twin that claim is not applicable, and its reason says what TF1 code meets).
# Keras still builds its layers inside a tf.Graph (Keras 2 natively; Keras 3 too, as far as
# building goes), so the graph twin reads the same kernels the TF1 way: through a Session.
# Keras 3 variables are not Session fetches, hence tf.convert_to_tensor(variable).


def _warning_lines(caught):
    # Deprecation warnings come from imports TensorFlow or Keras make lazily on first use, so
    # they depend on what ran before in the process; the rest is what the user's code triggers.
    return [f"{w.category.__name__}: {str(w.message).strip().splitlines()[0]}" for w in caught
            if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))]


def _graph_kernels(tf, model):
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        return sess.run([tf.convert_to_tensor(layer.kernel) for layer in model.layers])


def _eager_kernels(tf, model):
    return [layer.kernel.numpy() for layer in model.layers]


def _runs_and_prints(o):
    return not raised(o["runs_as_written"]) and value(o["first_layer_kernel_shape"]) == [784, 128]


def _graph_print(o):
    caught = o["runs_as_written"]
    if raised(caught):
        printed = f"raises {raised_message(caught).rstrip('.')}"
    else:
        printed = "prints a graph tensor, not its values"
    shape = "x".join(str(n) for n in value(o["first_layer_kernel_shape"]))
    return f"in a graph the print line {printed}, while a Session reads the first layer's {shape} kernel"


def _runs(quote):
    # The examples are TF2 code run eagerly; the article never runs them in a TF1 graph.
    return Claim("the example runs as written and prints the first layer's 784x128 kernel", _runs_and_prints,
                 not_in=("graph",), why="the article's examples are TF2 code, run eagerly: it never runs them in a "
                                        "TF1 graph, where a tensor has no value until a Session runs it",
                 instead=_graph_print, quote=quote)


def glorot_limit(fan_in, fan_out):
    return math.sqrt(6 / (fan_in + fan_out))


@scenario(
    "init-example-glorot-uniform",
    source=Source(ARTICLE, "Example 1: Glorot Uniform Initialization"),
    tags=["initializer", "keras"],
    claims=[
        _runs("I printed the weights to show how these values are initialized."),
        Claim("GlorotUniform() initializes both layers' kernels with the Glorot uniform method: "
              "uniform on [-limit, limit], limit = sqrt(6 / (fan_in + fan_out))",
              lambda o: all(spans(o[k], glorot_limit(*s)) and not o[k]["rejects_uniform"]
                            for k, s in [("first_layer_kernel", (784, 128)), ("second_layer_kernel", (128, 10))]),
              quote="This initializes the weights using the Glorot Uniform method."),
    ],
)
class ExampleGlorotUniform:
    """The article's Example 1: a 784 -> 128 -> 10 Sequential with GlorotUniform kernels."""

    def graph(tf, obs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model_glorot = tf.keras.models.Sequential([
                tf.keras.layers.Dense(128, input_shape=(784,), kernel_initializer=tf.keras.initializers.GlorotUniform(),
                                      activation='relu'),
                tf.keras.layers.Dense(10, kernel_initializer=tf.keras.initializers.GlorotUniform(),
                                      activation='softmax')
            ])
            with obs.catch("runs_as_written"):
                print("Glorot weights of first layer:", model_glorot.layers[0].kernel.numpy())
        obs.record("warnings", _warning_lines(caught))
        first, second = _graph_kernels(tf, model_glorot)
        obs.record("first_layer_kernel_shape", list(first.shape))
        obs.record("first_layer_kernel", fit_report(first, uniform_limit=glorot_limit(784, 128)))
        obs.record("second_layer_kernel", fit_report(second, uniform_limit=glorot_limit(128, 10)))

    def eager(tf, obs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model_glorot = tf.keras.models.Sequential([
                tf.keras.layers.Dense(128, input_shape=(784,), kernel_initializer=tf.keras.initializers.GlorotUniform(),
                                      activation='relu'),
                tf.keras.layers.Dense(10, kernel_initializer=tf.keras.initializers.GlorotUniform(),
                                      activation='softmax')
            ])
            with obs.catch("runs_as_written"):
                print("Glorot weights of first layer:", model_glorot.layers[0].kernel.numpy())
        obs.record("warnings", _warning_lines(caught))
        first, second = _eager_kernels(tf, model_glorot)
        obs.record("first_layer_kernel_shape", list(first.shape))
        obs.record("first_layer_kernel", fit_report(first, uniform_limit=glorot_limit(784, 128)))
        obs.record("second_layer_kernel", fit_report(second, uniform_limit=glorot_limit(128, 10)))


@scenario(
    "init-example-he-normal",
    source=Source(ARTICLE, "Example 2: He Normal Initialization"),
    tags=["initializer", "keras"],
    claims=[
        _runs("Again, the weights are printed."),
        Claim("HeNormal() initializes both layers' kernels based on He normal: mean 0, std sqrt(2 / fan_in)",
              lambda o: std_matches(o["first_layer_kernel"], math.sqrt(2 / 784))
              and std_matches(o["second_layer_kernel"], math.sqrt(2 / 128)),
              quote="demonstrating how one might initialize based on He Normal"),
    ],
)
class ExampleHeNormal:
    """The article's Example 2: a 784 -> 128 -> 10 Sequential with HeNormal kernels."""

    def graph(tf, obs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model_he = tf.keras.models.Sequential([
                tf.keras.layers.Dense(128, input_shape=(784,), kernel_initializer=tf.keras.initializers.HeNormal(),
                                      activation='relu'),
                tf.keras.layers.Dense(10, kernel_initializer=tf.keras.initializers.HeNormal(), activation='softmax')
            ])
            with obs.catch("runs_as_written"):
                print("He weights of first layer:", model_he.layers[0].kernel.numpy())
        obs.record("warnings", _warning_lines(caught))
        first, second = _graph_kernels(tf, model_he)
        obs.record("first_layer_kernel_shape", list(first.shape))
        obs.record("first_layer_kernel", fit_report(first, normal_std=math.sqrt(2 / 784)))
        obs.record("second_layer_kernel", fit_report(second, normal_std=math.sqrt(2 / 128)))

    def eager(tf, obs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model_he = tf.keras.models.Sequential([
                tf.keras.layers.Dense(128, input_shape=(784,), kernel_initializer=tf.keras.initializers.HeNormal(),
                                      activation='relu'),
                tf.keras.layers.Dense(10, kernel_initializer=tf.keras.initializers.HeNormal(), activation='softmax')
            ])
            with obs.catch("runs_as_written"):
                print("He weights of first layer:", model_he.layers[0].kernel.numpy())
        obs.record("warnings", _warning_lines(caught))
        first, second = _eager_kernels(tf, model_he)
        obs.record("first_layer_kernel_shape", list(first.shape))
        obs.record("first_layer_kernel", fit_report(first, normal_std=math.sqrt(2 / 784)))
        obs.record("second_layer_kernel", fit_report(second, normal_std=math.sqrt(2 / 128)))


def he_limit(fan_in):
    return math.sqrt(6 / fan_in)


def _same_as_he_uniform(o):
    ks = o["ks_custom_vs_he_uniform"]
    return ks <= ks_critical(784 * 128, m=784 * 128) and spans(o["he_uniform_kernel"], he_limit(784))


@scenario(
    "init-example-custom",
    source=Source(ARTICLE, "Example 3: Custom Initialization (demonstrating a scale based on fan-in)"),
    tags=["initializer", "keras"],
    claims=[
        _runs('print("Custom weights of first layer:", model_custom.layers[0].kernel.numpy())'),
        Claim("my_custom_init generates uniform numbers within a limit computed from the fan-in, sqrt(6 / fan_in)",
              lambda o: all(spans(o[k], he_limit(fan_in)) and not o[k]["rejects_uniform"]
                            for k, fan_in in [("first_layer_kernel", 784), ("second_layer_kernel", 128)]),
              quote="`my_custom_init` calculates a limit based on the fan-in and then generates uniformly "
                    "random numbers within this calculated range."),
        Claim("the custom initializer is He uniform's scaling based on inputs: its kernel and a He uniform "
              "kernel of the same shape come from the same distribution (two-sample KS, alpha 1e-4)",
              _same_as_he_uniform,
              quote="This is a practical demonstration of the scaling based on inputs to the neuron."),
    ],
)
class ExampleCustom:
    """The article's Example 3: a custom fan-in-scaled uniform initializer, beside He uniform."""

    def graph(tf, obs):
        def my_custom_init(shape, dtype=tf.float32):
            limit = tf.math.sqrt(6 / shape[0])
            return tf.random.uniform(shape, minval=-limit, maxval=limit, dtype=dtype)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model_custom = tf.keras.models.Sequential([
                tf.keras.layers.Dense(128, input_shape=(784,), kernel_initializer=my_custom_init, activation='relu'),
                tf.keras.layers.Dense(10, kernel_initializer=my_custom_init, activation='softmax')
            ])
            with obs.catch("runs_as_written"):
                print("Custom weights of first layer:", model_custom.layers[0].kernel.numpy())
        obs.record("warnings", _warning_lines(caught))
        first, second = _graph_kernels(tf, model_custom)
        with tf.compat.v1.Session() as sess:
            he_uniform = sess.run(tf.compat.v1.initializers.he_uniform()((784, 128)))
        obs.record("first_layer_kernel_shape", list(first.shape))
        obs.record("first_layer_kernel", fit_report(first, uniform_limit=he_limit(784)))
        obs.record("second_layer_kernel", fit_report(second, uniform_limit=he_limit(128)))
        obs.record("he_uniform_kernel", fit_report(he_uniform, uniform_limit=he_limit(784)))
        obs.record("ks_custom_vs_he_uniform", ks_two_sample(first, he_uniform))

    def eager(tf, obs):
        def my_custom_init(shape, dtype=tf.float32):
            limit = tf.math.sqrt(6 / shape[0])
            return tf.random.uniform(shape, minval=-limit, maxval=limit, dtype=dtype)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model_custom = tf.keras.models.Sequential([
                tf.keras.layers.Dense(128, input_shape=(784,), kernel_initializer=my_custom_init, activation='relu'),
                tf.keras.layers.Dense(10, kernel_initializer=my_custom_init, activation='softmax')
            ])
            with obs.catch("runs_as_written"):
                print("Custom weights of first layer:", model_custom.layers[0].kernel.numpy())
        obs.record("warnings", _warning_lines(caught))
        first, second = _eager_kernels(tf, model_custom)
        he_uniform = tf.keras.initializers.HeUniform()((784, 128)).numpy()
        obs.record("first_layer_kernel_shape", list(first.shape))
        obs.record("first_layer_kernel", fit_report(first, uniform_limit=he_limit(784)))
        obs.record("second_layer_kernel", fit_report(second, uniform_limit=he_limit(128)))
        obs.record("he_uniform_kernel", fit_report(he_uniform, uniform_limit=he_limit(784)))
        obs.record("ks_custom_vs_he_uniform", ks_two_sample(first, he_uniform))


@scenario(
    "init-bias-and-conv",
    source=Source(ARTICLE, "Commentary: kernel_initializer on any layer with weights; bias_initializer"),
    tags=["initializer", "keras"],
    claims=[
        Claim("bias terms are initialized to zero (Dense's and Conv2D's default bias initializer)",
              lambda o: stat(o["dense_bias"], "min") == stat(o["dense_bias"], "max") == 0.0
              and set(value(o["conv_bias"])) == {0.0},
              quote="Bias terms are often initialized to zero"),
        Claim("biases are configured separately via the bias_initializer parameter",
              lambda o: set(value(o["constant_bias"])) == {0.5},
              quote="typically configured separately via the `bias_initializer` parameter"),
        Claim("kernel_initializer works on a convolutional layer: HeNormal gives a Conv2D kernel "
              "std sqrt(2 / fan_in), fan_in = 3 * 3 * 32",
              lambda o: value(o["conv_kernel_shape"]) == [3, 3, 32, 64]
              and std_matches(o["conv_kernel"], math.sqrt(2 / (3 * 3 * 32))),
              quote="This is not limited to dense layers but can be used with any layer that has weights, "
                    "for example, convolutional layers."),
    ],
)
class BiasAndConv:
    """Default and configured biases of Dense and Conv2D, and HeNormal on a Conv2D kernel."""

    def graph(tf, obs):
        dense = tf.keras.layers.Dense(128, kernel_initializer=tf.keras.initializers.HeNormal())
        dense.build((None, 784))
        conv = tf.keras.layers.Conv2D(64, 3, kernel_initializer=tf.keras.initializers.HeNormal())
        conv.build((None, 28, 28, 32))
        configured = tf.keras.layers.Dense(10, bias_initializer=tf.keras.initializers.Constant(0.5))
        configured.build((None, 128))
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            dense_bias, conv_bias, conv_kernel, constant_bias = sess.run(
                [tf.convert_to_tensor(v) for v in (dense.bias, conv.bias, conv.kernel, configured.bias)])
        obs.record("dense_bias", dense_bias)
        obs.record("conv_bias", conv_bias)
        obs.record("constant_bias", constant_bias)
        obs.record("conv_kernel_shape", list(conv_kernel.shape))
        obs.record("conv_kernel", fit_report(conv_kernel, normal_std=math.sqrt(2 / (3 * 3 * 32))))

    def eager(tf, obs):
        dense = tf.keras.layers.Dense(128, kernel_initializer=tf.keras.initializers.HeNormal())
        dense.build((None, 784))
        conv = tf.keras.layers.Conv2D(64, 3, kernel_initializer=tf.keras.initializers.HeNormal())
        conv.build((None, 28, 28, 32))
        configured = tf.keras.layers.Dense(10, bias_initializer=tf.keras.initializers.Constant(0.5))
        configured.build((None, 128))
        obs.record("dense_bias", dense.bias.numpy())
        obs.record("conv_bias", conv.bias.numpy())
        obs.record("constant_bias", configured.bias.numpy())
        obs.record("conv_kernel_shape", list(conv.kernel.shape))
        obs.record("conv_kernel", fit_report(conv.kernel.numpy(), normal_std=math.sqrt(2 / (3 * 3 * 32))))

"""Keras in a tf.compat.v1 graph: its optimizers, its models and its names, Keras 2 beside Keras 3."""

from lab.guest import Claim, Source, scenario
from lab.guest.catalog import Premise
from lab.guest.predicates import brief, raised, raised_message, runs_to_the_end, value

ARTICLE_000 = "000_8efaa3ae04d8cab7.txt"
ARTICLE_001 = "001_97e30a257888b9ba.txt"
OPTIMIZERS = ("SGD", "Adam")
VARIABLES = ("resource", "ref")

# Each optimizer of the article (tf.keras.optimizers.SGD and Adam, learning rate 0.1) applied
# once to loss = v * v at v = 1.0, on a resource variable (what TF2 makes, in a graph too) and,
# in the graph twin, on a TF1 reference variable. Recorded per optimizer and variable kind:
# `<opt>_<kind>_error` (what building or running the update raised), `<opt>_<kind>_update_type`
# (what apply_gradients returned), `<opt>_<kind>_before` and `_after` (the variable around one
# run of the update: one sess.run in the graph twin, the call itself in the eager twin).


def _adjusts(name):
    def check(o):
        key = f"{name}_resource"
        return not raised(o[f"{key}_error"]) and value(o[f"{key}_after"]) != value(o[f"{key}_before"])
    return check


@scenario(
    "keras-optimizer-graph",
    source=Source(ARTICLE_000, "Examples 1-3: tf.keras.optimizers.SGD and Adam, apply_gradients"),
    tags=["keras", "optimizer", "training"],
    claims=[
        *[Claim(f"tf.keras.optimizers.{name}.apply_gradients adjusts the existing weight",
                _adjusts(name),
                quote="the optimizer uses these gradients to *adjust* the existing weights")
          for name in OPTIMIZERS],
        Claim("tf.keras.optimizers.SGD adjusts a TF1 reference variable (tf.compat.v1.Variable) as well",
              lambda o: not raised(o["SGD_ref_error"]) and value(o["SGD_ref_after"]) != value(o["SGD_ref_before"]),
              not_in=("eager",), why="eager execution has no reference variables",
              instead=lambda o: f"eagerly use_resource=False still makes a resource variable, which SGD takes from "
                                f"{brief(o['SGD_ref_before'])} to {brief(o['SGD_ref_after'])}",
              quote="the optimizer uses these gradients to *adjust* the existing weights"),
    ],
)
class KerasOptimizerGraph:
    """tf.keras.optimizers.SGD and Adam applied once to loss = v * v: does v change?"""

    def graph(tf, obs):
        for name in OPTIMIZERS:
            for kind in VARIABLES:
                key = f"{name}_{kind}"
                v = tf.compat.v1.Variable(1.0, name=key, use_resource=kind == "resource")
                gradients = tf.compat.v1.gradients(v * v, [v])
                optimizer = getattr(tf.keras.optimizers, name)(learning_rate=0.1)
                with obs.catch(f"{key}_error"):
                    update = optimizer.apply_gradients(zip(gradients, [v]))
                    obs.record(f"{key}_update_type", type(update).__name__)
                    with tf.compat.v1.Session() as sess:
                        sess.run(tf.compat.v1.global_variables_initializer())
                        obs.record(f"{key}_before", float(sess.run(v)))
                        sess.run(update)
                        obs.record(f"{key}_after", float(sess.run(v)))

    def eager(tf, obs):
        # The same keys as the graph twin; eagerly, use_resource=False still makes a resource variable.
        for name, kind in ((name, kind) for name in OPTIMIZERS for kind in VARIABLES):
            key = f"{name}_{kind}"
            v = tf.compat.v1.Variable(1.0, name=key, use_resource=kind == "resource")
            optimizer = getattr(tf.keras.optimizers, name)(learning_rate=0.1)
            with obs.catch(f"{key}_error"):
                with tf.GradientTape() as tape:
                    loss = v * v
                gradients = tape.gradient(loss, [v])
                obs.record(f"{key}_before", float(v.numpy()))
                update = optimizer.apply_gradients(zip(gradients, [v]))
                obs.record(f"{key}_update_type", type(update).__name__)
                obs.record(f"{key}_after", float(v.numpy()))


# The article's SimpleModel built in a graph: its variables before and after the first call, and
# the article's Adam training it beside a plain tf.Variable (the weight of Examples 1 and 3), so
# "using a Keras model does not alter this behavior of the weights" is judged on the article's
# own optimizer. Recorded per weight (`model`, `variable`): `<weight>_before_step_k`,
# `<weight>_after_step_k` (k = 1, 2) and `<weight>_error`, what building or running the steps raised.
# The model trained the TF1 way, by a tf.compat.v1.train optimizer, is a variant of its own
# (keras-model-compat-optimizer, in a000_variants.py).

ADAM_STEPS = 2


def _steps(o, weight):
    return [(value(o[f"{weight}_before_step_{k}"]), value(o[f"{weight}_after_step_{k}"]))
            for k in range(1, ADAM_STEPS + 1)]


def _keeps_updates(o, weight):
    # Each step changes the weight, and the next step starts from the value it left.
    if raised(o[f"{weight}_error"]):
        return False
    steps = _steps(o, weight)
    return all(b != a for b, a in steps) and all(steps[k][0] == steps[k - 1][1] for k in range(1, ADAM_STEPS))


def _variable_seen(o):
    if raised(o["variable_error"]):
        return f"on a tf.Variable the article's Adam raises {raised_message(o['variable_error'])}"
    values = [_steps(o, "variable")[0][0]] + [a for _, a in _steps(o, "variable")]
    return f"the article's Adam leaves a tf.Variable at {', '.join(f'{v:.6g}' for v in values)} over {ADAM_STEPS} steps"


PLAIN_VARIABLE_TRAINS = Premise("the article's Adam changes a plain tf.Variable at every step, each step from the "
                                "last one's value", lambda o: _keeps_updates(o, "variable"), _variable_seen)


def _graph_adam_steps(tf, obs, weight, predict, variables, y):
    with obs.catch(f"{weight}_error"):
        optimizer = tf.keras.optimizers.Adam(learning_rate=0.01)
        with tf.GradientTape() as tape:
            loss = tf.keras.losses.MeanSquaredError()(y, predict())
        gradients = tape.gradient(loss, variables)
        train_op = optimizer.apply_gradients(zip(gradients, variables))
        read = tf.convert_to_tensor(variables[0])  # Keras 3 variables are no Session fetches
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for step in range(1, ADAM_STEPS + 1):
                obs.record(f"{weight}_before_step_{step}", float(sess.run(read)[0][0]))
                sess.run(train_op)
                obs.record(f"{weight}_after_step_{step}", float(sess.run(read)[0][0]))


def _eager_adam_steps(tf, obs, weight, predict, variables, y):
    with obs.catch(f"{weight}_error"):
        optimizer = tf.keras.optimizers.Adam(learning_rate=0.01)
        for step in range(1, ADAM_STEPS + 1):
            with tf.GradientTape() as tape:
                loss = tf.keras.losses.MeanSquaredError()(y, predict())
            gradients = tape.gradient(loss, variables)
            obs.record(f"{weight}_before_step_{step}", float(variables[0].numpy()[0][0]))
            optimizer.apply_gradients(zip(gradients, variables))
            obs.record(f"{weight}_after_step_{step}", float(variables[0].numpy()[0][0]))


@scenario(
    "keras-model-graph",
    source=Source(ARTICLE_000, "Example 2: Observing Variable Persistence (the model in a graph)"),
    tags=["keras", "training"],
    claims=[
        Claim("the model's weights are created and initialized during model creation",
              lambda o: value(o["variables_after_creation"]) > 0,
              quote="This initialization occurs during model creation, *before* the training loop commences."),
        Claim("the model's weights exist once the model has been called",
              lambda o: value(o["variables_after_call"]) == 1,
              premise=runs_to_the_end("call_error", "calling the model"),
              quote="the weights (specifically the kernel of the dense layer here)"),
        Claim("using a Keras model does not alter this behaviour of the weights: under the article's Adam the "
              "model's kernel, like a plain tf.Variable, changes at every step and each step starts from the "
              "last one's value",
              lambda o: _keeps_updates(o, "model"), premise=PLAIN_VARIABLE_TRAINS,
              quote="Note: using a Keras model does not alter this behavior of the weights."),
    ],
)
class KerasModelGraph:
    """The article's SimpleModel: its variables before and after the first call; its Adam on it and on a tf.Variable."""

    def graph(tf, obs):
        from _a000_loops import simple_model

        model = simple_model(tf)()
        obs.record("variables_after_creation", len(model.trainable_variables))
        x = tf.constant([[1.0], [2.0], [3.0]], dtype=tf.float32)
        y = tf.constant([[2.0], [4.0], [6.0]], dtype=tf.float32)
        with obs.catch("call_error"):
            model(x)
        obs.record("variables_after_call", len(model.trainable_variables))
        obs.record("variable_type", [type(v).__name__ for v in model.trainable_variables])
        _graph_adam_steps(tf, obs, "model", lambda: model(x), model.trainable_variables, y)
        weight = tf.compat.v1.Variable([[1.0]], name="my_weight", use_resource=True)
        _graph_adam_steps(tf, obs, "variable", lambda: tf.matmul(x, weight), [weight], y)

    def eager(tf, obs):
        from _a000_loops import simple_model

        model = simple_model(tf)()
        obs.record("variables_after_creation", len(model.trainable_variables))
        x = tf.constant([[1.0], [2.0], [3.0]], dtype=tf.float32)
        y = tf.constant([[2.0], [4.0], [6.0]], dtype=tf.float32)
        with obs.catch("call_error"):
            model(x)
        obs.record("variables_after_call", len(model.trainable_variables))
        obs.record("variable_type", [type(v).__name__ for v in model.trainable_variables])
        _eager_adam_steps(tf, obs, "model", lambda: model(x), model.trainable_variables, y)
        weight = tf.Variable([[1.0]], name="my_weight")
        _eager_adam_steps(tf, obs, "variable", lambda: tf.matmul(x, weight), [weight], y)


# Article 001's hierarchical names (model_scope/layer1/weights) with Keras layers: a Dense named
# layer1 called inside tf.name_scope("model_scope"), built twice by the same code.


def _hierarchical(o):
    return value(o["first_kernel_name"]).startswith("model_scope/layer1/")


@scenario(
    "keras-name-scope",
    source=Source(ARTICLE_001, "Example 3: Incorrect Scoping (hierarchical names with Keras layers)"),
    tags=["keras", "scopes"],
    claims=[
        Claim("tf.name_scope gives a Keras layer's weights hierarchical names such as model_scope/layer1/...",
              _hierarchical,
              quote="hierarchical naming conventions such as `model_scope/layer1/weights`"),
        Claim("hierarchical naming prevents naming collisions: the same code run twice gives other names",
              lambda o: value(o["first_kernel_name"]) != value(o["second_kernel_name"]),
              quote="to further enhance clarity and prevent naming collisions"),
    ],
)
class KerasNameScope:
    """Dense(5, name="layer1") called inside tf.name_scope("model_scope"), twice: the kernels' names."""

    def graph(tf, obs):
        x = tf.zeros([1, 10])
        for build in ("first", "second"):
            with tf.name_scope("model_scope"):
                layer = tf.keras.layers.Dense(5, name="layer1")
                layer(x)
            obs.record(f"{build}_kernel_name", layer.kernel.name)
            obs.record(f"{build}_kernel_path", getattr(layer.kernel, "path", None))

    def eager(tf, obs):
        x = tf.zeros([1, 10])
        for build in ("first", "second"):
            with tf.name_scope("model_scope"):
                layer = tf.keras.layers.Dense(5, name="layer1")
                layer(x)
            obs.record(f"{build}_kernel_name", layer.kernel.name)
            obs.record(f"{build}_kernel_path", getattr(layer.kernel, "path", None))

"""Article 001: why random weights are used instead of the intended ones."""

from lab.guest import Claim, Source, scenario
from lab.guest.predicates import brief, close, flat, raised, stat

ARTICLE = "001_97e30a257888b9ba.txt"

# The article leaves input_dim, output_dim and epochs open: small concrete values keep every
# tensor inline in the record. The "rest of the training step" is one squared-error loss on a
# fixed input, so gradients are defined and plain SGD (learning rate 0.1) can be checked by hand.
#
# The article does not name its optimizer; both twins use tf.keras.optimizers.SGD, the one a
# TF2 reader has. In the graph twins it works only on a resource variable (TF2 makes those in a
# graph too; on a TF1 reference variable it raises AttributeError in every version), and what it
# does there depends on the version (`keras-optimizer-graph`): what it raised is an observation.

INPUT_DIM, OUTPUT_DIM, EPOCHS = 3, 2, 3
X = [[1.0, 2.0, 3.0]]
Y = [[1.0, 0.0]]
LR = 0.1


def _declared(caught):
    # The claim presupposes the declaration works and leaves the variable with contents no one
    # gave it: refuted when it cannot be declared at all.
    return not raised(caught)


def _normal(o):
    # Standard normal: mean 0, std 1, 68.3% within one std. With 7840 draws the standard errors
    # are about 0.011, 0.008 and 0.005, so these tolerances are over four of them.
    return (abs(stat(o["fixed_weights"], "mean")) < 0.05 and abs(stat(o["fixed_weights"], "std") - 1.0) < 0.05
            and abs(o["fixed_fraction_within_one_std"] - 0.6827) < 0.03)


@scenario(
    "uninit-no-initial-value",
    source=Source(ARTICLE, "Example 1: Incorrect Initialization"),
    tags=["uninitialized"],
    claims=[
        Claim("a variable declared without an initial value will contain garbage values",
              lambda o: _declared(o["declare_without_initial_value"]),
              quote="Result: weights will contain garbage values."),
        Claim("the tf.Variable constructor requires an initial value",
              lambda o: raised(o["declare_without_initial_value"]),
              quote="The `tf.Variable` constructor requires an initial value"),
        Claim("tf.Variable(tf.random.normal([input_dim, output_dim])) initializes weights with values "
              "drawn from a normal distribution",
              _normal,
              quote="This initializes `weights` with values drawn from a normal distribution."),
    ],
)
class NoInitialValue:
    """tf.Variable(name="weights") with no initial value, then the article's fix with tf.random.normal."""

    def graph(tf, obs):
        import numpy as np

        # In TF1, tf.Variable is the class tf.compat.v1.Variable names in TF2.
        with obs.catch("declare_without_initial_value"):
            weights = tf.compat.v1.Variable(name="weights")
        # The fix; 784 x 10 (a classifier's first layer) gives enough draws to test the distribution.
        weights = tf.compat.v1.Variable(tf.compat.v1.random_normal([784, 10]), name="weights")
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            fixed = obs.record("fixed_weights", sess.run(weights))
        obs.record("fixed_fraction_within_one_std", float(np.mean(np.abs(fixed) < 1.0)))

    def eager(tf, obs):
        import numpy as np

        with obs.catch("declare_without_initial_value"):
            weights = tf.Variable(name="weights")
        weights = tf.Variable(tf.random.normal([784, 10]), name="weights")
        fixed = obs.record("fixed_weights", weights).numpy()
        obs.record("fixed_fraction_within_one_std", float(np.mean(np.abs(fixed) < 1.0)))


def _arbitrary(o):
    # Arbitrary memory contents: a read that succeeds and does not give the intended initial value.
    if raised(o["read_before_init"]):
        return False
    return o["value_before_init"] != o["value_after_init"]


@scenario(
    "uninit-read-before-init",
    source=Source(ARTICLE, "1. Clear Explanation: uninitialized variables"),
    tags=["uninitialized"],
    claims=[
        Claim("variables require explicit initialization before they can be used",
              lambda o: raised(o["read_before_init"]),
              quote="TensorFlow's weight variables, represented as `tf.Variable` objects, require "
                    "explicit initialization."),
        Claim("simply declaring a variable does not assign it meaningful values",
              lambda o: o["initialized_before_init"] is False,
              quote="Simply declaring a variable doesn't assign it meaningful values."),
        Claim("reading an uninitialized variable gives arbitrary values from the underlying memory",
              _arbitrary, not_in=("eager",),
              why="an eager variable is initialized when it is created: there is no uninitialized variable to read",
              instead=lambda o: f"in eager the variable holds its initial value from creation: the first read gives "
                                f"{brief(o['value_before_init'])}",
              quote="Uninitialized variables will contain arbitrary values reflecting the underlying "
                    "memory state."),
    ],
)
class ReadBeforeInit:
    """A zeros variable read before its initializer has run (graph) or right after creation (eager)."""

    def graph(tf, obs):
        weights = tf.compat.v1.Variable(tf.zeros([INPUT_DIM, OUTPUT_DIM]), name="weights")
        with tf.compat.v1.Session() as sess:
            obs.record("initialized_before_init", bool(sess.run(tf.compat.v1.is_variable_initialized(weights))))
            obs.record("reported_uninitialized", sess.run(tf.compat.v1.report_uninitialized_variables()))
            with obs.catch("read_before_init"):
                obs.record("value_before_init", sess.run(weights))
            sess.run(tf.compat.v1.global_variables_initializer())
            obs.record("value_after_init", sess.run(weights))

    def eager(tf, obs):
        # TF2 has no separate initializer: creating the variable initializes it, so "before init"
        # is the first read after creation and "after init" a second read.
        weights = tf.Variable(tf.zeros([INPUT_DIM, OUTPUT_DIM]), name="weights")
        obs.record("initialized_before_init", bool(tf.compat.v1.is_variable_initialized(weights)))
        obs.record("reported_uninitialized", tf.compat.v1.report_uninitialized_variables())
        with obs.catch("read_before_init"):
            obs.record("value_before_init", weights.numpy())
        obs.record("value_after_init", weights)


def _fresh_each_epoch(o):
    # Each step trains on a newly drawn tensor: all differ from each other and from the variable.
    used = [o[f"used_weights_{e}"] for e in range(EPOCHS)]
    return all(not close(a, b) for i, a in enumerate(used) for b in used[i + 1:]) and \
        all(not close(u, o["variable_before_loop"]) for u in used)


def _untracked(o):
    # The optimizer cannot follow a plain tensor: no gradient for it, or it cannot be updated.
    return o["gradient_is_none"] or raised(o["apply_gradients_to_rebound"])


@scenario(
    "rebind-weights-in-loop",
    source=Source(ARTICLE, "Example 2: Overwriting with Assignment"),
    tags=["rebind", "assign"],
    claims=[
        Claim("weights = tf.random.normal(...) inside the loop completely overwrites the weights variable",
              lambda o: not close(o["variable_after_loop"], o["variable_before_loop"]),
              quote="INCORRECT: This completely overwrites the weights variable in every iteration."),
        Claim("every iteration then trains on newly drawn random weights",
              _fresh_each_epoch,
              quote="This completely overwrites the weights variable in every iteration."),
        Claim("the = assignment does not preserve the variable's identity",
              lambda o: o["rebound_is_variable"] is False and o["rebound_is_original"] is False,
              quote="using `tf.Variable.assign` or related methods to update the weight values, "
                    "preserving the variable's identity"),
        Claim("updates to the rebound weights are not tracked by the optimizer",
              _untracked,
              quote="ensuring that updates are correctly tracked by the optimizer"),
    ],
)
class RebindInLoop:
    """weights = tf.random.normal(...) in a 3-epoch loop over a 3x2 variable, keeping a second reference."""

    def graph(tf, obs):
        x, y = tf.constant(X), tf.constant(Y)
        weights = tf.compat.v1.Variable(tf.compat.v1.random_normal([INPUT_DIM, OUTPUT_DIM]), name="weights")
        original = weights  # a second reference: what happens to the variable itself
        optimizer = tf.keras.optimizers.SGD(learning_rate=LR)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            obs.record("variable_before_loop", sess.run(original))
            for epoch in range(EPOCHS):
                weights = tf.compat.v1.random_normal([INPUT_DIM, OUTPUT_DIM])
                # ... rest of the training step ...
                loss = tf.reduce_mean(tf.square(tf.matmul(x, weights) - y))
                gradients = tf.compat.v1.gradients(loss, [weights])
                if epoch == 0:
                    obs.record("gradient_is_none", gradients[0] is None)
                    with obs.catch("apply_gradients_to_rebound"):
                        optimizer.apply_gradients(zip(gradients, [weights]))
                used, _ = sess.run([weights, loss])  # one run: the tensor the step used
                obs.record(f"used_weights_{epoch}", used)
            obs.record("variable_after_loop", sess.run(original))
        obs.record("rebound_type", type(weights).__name__)
        obs.record("rebound_is_variable", isinstance(weights, tf.Variable))
        obs.record("rebound_is_original", weights is original)

    def eager(tf, obs):
        x, y = tf.constant(X), tf.constant(Y)
        weights = tf.Variable(tf.random.normal([INPUT_DIM, OUTPUT_DIM]), name="weights")
        original = weights
        optimizer = tf.keras.optimizers.SGD(learning_rate=LR)
        obs.record("variable_before_loop", original)
        for epoch in range(EPOCHS):
            weights = tf.random.normal([INPUT_DIM, OUTPUT_DIM])
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.matmul(x, weights) - y))
            gradients = tape.gradient(loss, [weights])
            if epoch == 0:
                obs.record("gradient_is_none", gradients[0] is None)
                with obs.catch("apply_gradients_to_rebound"):
                    optimizer.apply_gradients(zip(gradients, [weights]))
            obs.record(f"used_weights_{epoch}", weights)
        obs.record("variable_after_loop", original)
        obs.record("rebound_type", type(weights).__name__)
        obs.record("rebound_is_variable", isinstance(weights, tf.Variable))
        obs.record("rebound_is_original", weights is original)


def _sgd(before, gradient):
    return [w - LR * g for w, g in zip(flat(before), flat(gradient))]


@scenario(
    "assign-keeps-variable",
    source=Source(ARTICLE, "Example 2: Overwriting with Assignment (the corrected code)"),
    tags=["assign", "training", "keras", "optimizer"],
    claims=[
        Claim("weights.assign(updated_weights) updates the weight values",
              lambda o: close(o["after_assign"], _sgd(o["initial"], o["gradient_1"]), rel=1e-5),
              quote="weights.assign(updated_weights) # where updated_weights is calculated via backpropagation"),
        Claim("assign preserves the variable's identity",
              lambda o: o["is_variable_after_assign"] is True and o["name_after_assign"] == o["name"],
              quote="preserving the variable's identity"),
        Claim("optimizer.apply_gradients([(gradients, weights)]) updates the same variable, tracked by "
              "the optimizer",
              lambda o: not raised(o["apply_gradients_error"]) and not raised(o["apply_gradients_run_error"])
              and close(o["after_apply_gradients"], _sgd(o["after_assign"], o["gradient_2"]), rel=1e-5)
              and o["name_after_apply_gradients"] == o["name"],
              quote="optimizer.apply_gradients([(gradients, weights)]) # gradients calculated by loss function"),
    ],
)
class AssignKeepsVariable:
    """The corrected forms: one SGD step by weights.assign, one by optimizer.apply_gradients."""

    def graph(tf, obs):
        x, y = tf.constant(X), tf.constant(Y)
        weights = tf.compat.v1.Variable(tf.compat.v1.random_normal([INPUT_DIM, OUTPUT_DIM]), name="weights",
                                        use_resource=True)
        original = weights  # every value is read through this second reference
        loss = tf.reduce_mean(tf.square(tf.matmul(x, weights) - y))
        gradients = tf.compat.v1.gradients(loss, weights)[0]
        updated_weights = weights - LR * gradients
        assign_op = weights.assign(updated_weights)
        optimizer = tf.keras.optimizers.SGD(learning_rate=LR)
        train_op = None
        with obs.catch("apply_gradients_error"):
            train_op = optimizer.apply_gradients([(gradients, weights)])
        obs.record("name", original.name)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            obs.record("initial", sess.run(original))
            obs.record("gradient_1", sess.run(gradients))
            sess.run(assign_op)
            obs.record("after_assign", sess.run(original))
            obs.record("is_variable_after_assign", isinstance(weights, tf.Variable) and weights is original)
            obs.record("name_after_assign", weights.name)
            obs.record("gradient_2", sess.run(gradients))
            with obs.catch("apply_gradients_run_error"):
                sess.run(train_op)
            obs.record("after_apply_gradients", sess.run(original))
            obs.record("name_after_apply_gradients", weights.name)

    def eager(tf, obs):
        x, y = tf.constant(X), tf.constant(Y)
        weights = tf.Variable(tf.random.normal([INPUT_DIM, OUTPUT_DIM]), name="weights")
        original = weights
        obs.record("name", original.name)
        obs.record("initial", original)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, weights) - y))
        gradients = tape.gradient(loss, weights)
        obs.record("gradient_1", gradients)
        updated_weights = weights - LR * gradients
        weights.assign(updated_weights)
        obs.record("after_assign", original)
        obs.record("is_variable_after_assign", isinstance(weights, tf.Variable) and weights is original)
        obs.record("name_after_assign", weights.name)
        optimizer = tf.keras.optimizers.SGD(learning_rate=LR)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, weights) - y))
        gradients = tape.gradient(loss, weights)
        obs.record("gradient_2", gradients)
        with obs.catch("apply_gradients_error"):
            optimizer.apply_gradients([(gradients, weights)])
        with obs.catch("apply_gradients_run_error"):
            pass  # the graph twin's session run of the update; eagerly, apply_gradients was the run
        obs.record("after_apply_gradients", original)
        obs.record("name_after_apply_gradients", weights.name)


@scenario(
    "rebind-after-training",
    source=Source(ARTICLE, "1. Clear Explanation: = instead of assign in a training loop"),
    tags=["rebind", "training"],
    claims=[
        Claim("using = instead of assign overwrites the variable's value completely, negating the "
              "previous training update",
              lambda o: not close(o["variable_after_rebind"], o["after_training_step"]),
              quote="inadvertently using an assignment operation (`=`) instead of an update operation "
                    "(`assign`, `assign_add`) within a training loop will overwrite the variable's value "
                    "completely, negating any previous initialization or training updates"),
    ],
)
class RebindAfterTraining:
    """One SGD step on a variable, then weights = tf.random.normal(...): what does the variable hold?"""

    def graph(tf, obs):
        x, y = tf.constant(X), tf.constant(Y)
        weights = tf.compat.v1.Variable(tf.compat.v1.random_normal([INPUT_DIM, OUTPUT_DIM]), name="weights",
                                        use_resource=True)
        original = weights
        loss = tf.reduce_mean(tf.square(tf.matmul(x, weights) - y))
        optimizer = tf.keras.optimizers.SGD(learning_rate=LR)
        train_op = optimizer.apply_gradients(zip(tf.compat.v1.gradients(loss, [weights]), [weights]))
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            obs.record("initial", sess.run(original))
            with obs.catch("training_error"):
                sess.run(train_op)
            obs.record("after_training_step", sess.run(original))
            weights = tf.compat.v1.random_normal([INPUT_DIM, OUTPUT_DIM])  # the mistake
            obs.record("rebound_value", sess.run(weights))
            obs.record("variable_after_rebind", sess.run(original))

    def eager(tf, obs):
        x, y = tf.constant(X), tf.constant(Y)
        weights = tf.Variable(tf.random.normal([INPUT_DIM, OUTPUT_DIM]), name="weights")
        original = weights
        obs.record("initial", original)
        optimizer = tf.keras.optimizers.SGD(learning_rate=LR)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, weights) - y))
        with obs.catch("training_error"):
            optimizer.apply_gradients(zip(tape.gradient(loss, [weights]), [weights]))
        obs.record("after_training_step", original)
        weights = tf.random.normal([INPUT_DIM, OUTPUT_DIM])
        obs.record("rebound_value", weights)
        obs.record("variable_after_rebind", original)


def _all_zero(obs):
    return all(v == 0.0 for v in flat(obs))


@scenario(
    "scoped-weights",
    source=Source(ARTICLE, "Example 3: Incorrect Scoping"),
    tags=["scopes"],
    claims=[
        Claim("weights1 and weights2 are distinct variables",
              lambda o: o["same_object"] is False and o["weights1_name"] != o["weights2_name"],
              quote="`weights1` and `weights2` are distinct variables due to different scopes"),
        Claim("they are distinct due to the different scopes: two variables of the same name in the same "
              "scope would be one variable",
              lambda o: o["same_scope_same_object"] is True,
              quote="`weights1` and `weights2` are distinct variables due to different scopes"),
        Claim("using weights2 instead of weights1 gives randomly initialized weights instead of the "
              "intended ones",
              lambda o: _all_zero(o["weights1"]) and not _all_zero(o["weights2"]),
              quote="resulting in seemingly random weights during training because the model is "
                    "unexpectedly using uninitialized or randomly initialized values from a different scope"),
        Claim("using weights2 from a different scope, whose initializer has not run, gives uninitialized values",
              lambda o: not raised(o["read_uninitialized_weights2"]),
              not_in=("eager",), why="an eager variable is initialized when it is created: weights2 cannot be "
                                     "uninitialized",
              instead=lambda o: f"in eager weights2 holds its random initial value from creation: "
                                f"{brief(o['weights2'])}",
              quote="the model is unexpectedly using uninitialized or randomly initialized values from a "
                    "different scope"),
    ],
)
class ScopedWeights:
    """Two variables named "weights", one under model_scope (zeros), one under another_scope (random)."""

    def graph(tf, obs):
        with tf.compat.v1.name_scope("model_scope"):
            weights1 = tf.compat.v1.Variable(tf.zeros([10, 5]), name="weights")
        with tf.compat.v1.name_scope("another_scope"):
            weights2 = tf.compat.v1.Variable(tf.compat.v1.random_normal([10, 5]), name="weights")
        obs.record("weights1_name", weights1.name)
        obs.record("weights2_name", weights2.name)
        obs.record("same_object", weights1 is weights2)
        with tf.compat.v1.name_scope("model_scope"):  # the counterfactual: one scope, one name
            same_a = tf.compat.v1.Variable(tf.zeros([10, 5]), name="weights")
            same_b = tf.compat.v1.Variable(tf.zeros([10, 5]), name="weights")
        obs.record("same_scope_same_object", same_a is same_b)
        with tf.compat.v1.Session() as sess:
            sess.run(weights1.initializer)  # only the intended variable's initializer has run
            with obs.catch("read_uninitialized_weights2"):
                sess.run(weights2)
            sess.run(tf.compat.v1.global_variables_initializer())
            obs.record("weights1", sess.run(weights1))
            obs.record("weights2", sess.run(weights2))

    def eager(tf, obs):
        with tf.name_scope("model_scope"):
            weights1 = tf.Variable(tf.zeros([10, 5]), name="weights")
        with tf.name_scope("another_scope"):
            weights2 = tf.Variable(tf.random.normal([10, 5]), name="weights")
        obs.record("weights1_name", weights1.name)
        obs.record("weights2_name", weights2.name)
        obs.record("same_object", weights1 is weights2)
        with tf.name_scope("model_scope"):
            same_a = tf.Variable(tf.zeros([10, 5]), name="weights")
            same_b = tf.Variable(tf.zeros([10, 5]), name="weights")
        obs.record("same_scope_same_object", same_a is same_b)
        with obs.catch("read_uninitialized_weights2"):
            weights2.numpy()
        obs.record("weights1", weights1)
        obs.record("weights2", weights2)


def _no_collisions(o):
    names = [o[k] for k in ("layer1_name", "layer2_name", "second_model_layer1_name", "second_model_layer2_name")]
    return len(set(names)) == len(names)


@scenario(
    "scoped-naming-hierarchy",
    source=Source(ARTICLE, "Example 3: Incorrect Scoping (unique, hierarchical names)"),
    tags=["scopes"],
    claims=[
        Claim("hierarchical naming gives names such as model_scope/layer1/weights",
              lambda o: o["layer1_name"] == "model_scope/layer1/weights:0",
              quote="hierarchical naming conventions such as `model_scope/layer1/weights`"),
        Claim("hierarchical naming prevents naming collisions, also for a second model built by the same code",
              _no_collisions,
              quote="hierarchical naming conventions such as `model_scope/layer1/weights` to further "
                    "enhance clarity and prevent naming collisions"),
        Claim("two variables given the same name, without unique names, have a naming conflict",
              lambda o: o["unscoped_a_name"] == o["unscoped_b_name"],
              quote="This shows the risk of naming conflicts.  [...] Using unique names for each "
                    "variable clearly avoids this issue."),
    ],
)
class ScopedNamingHierarchy:
    """model_scope/layer1/weights and model_scope/layer2/weights, built twice; two unscoped "weights"."""

    def graph(tf, obs):
        def build_model():
            with tf.compat.v1.name_scope("model_scope"):
                with tf.compat.v1.name_scope("layer1"):
                    layer1 = tf.compat.v1.Variable(tf.zeros([10, 5]), name="weights")
                with tf.compat.v1.name_scope("layer2"):
                    layer2 = tf.compat.v1.Variable(tf.zeros([5, 1]), name="weights")
            return layer1, layer2

        first, second = build_model(), build_model()
        obs.record("layer1_name", first[0].name)
        obs.record("layer2_name", first[1].name)
        obs.record("second_model_layer1_name", second[0].name)
        obs.record("second_model_layer2_name", second[1].name)
        unscoped_a = tf.compat.v1.Variable(0.0, name="weights")
        unscoped_b = tf.compat.v1.Variable(0.0, name="weights")
        obs.record("unscoped_a_name", unscoped_a.name)
        obs.record("unscoped_b_name", unscoped_b.name)

    def eager(tf, obs):
        def build_model():
            with tf.name_scope("model_scope"):
                with tf.name_scope("layer1"):
                    layer1 = tf.Variable(tf.zeros([10, 5]), name="weights")
                with tf.name_scope("layer2"):
                    layer2 = tf.Variable(tf.zeros([5, 1]), name="weights")
            return layer1, layer2

        first, second = build_model(), build_model()
        obs.record("layer1_name", first[0].name)
        obs.record("layer2_name", first[1].name)
        obs.record("second_model_layer1_name", second[0].name)
        obs.record("second_model_layer2_name", second[1].name)
        unscoped_a = tf.Variable(0.0, name="weights")
        unscoped_b = tf.Variable(0.0, name="weights")
        obs.record("unscoped_a_name", unscoped_a.name)
        obs.record("unscoped_b_name", unscoped_b.name)

"""Article 002: re-running the global variables initializer does (not?) reset variables."""

from lab.guest import Claim, Source, scenario
from lab.guest.predicates import brief, close, value

ARTICLE = "002_47706e3e358c726a.txt"

NOOP = ("under eager execution tf.compat.v1.global_variables_initializer() is a no-op: re-running "
        "it does nothing, so what it does to a variable is neither shown nor refuted")


def _stays(key, what="the variable"):
    """What the reader sees in eager: the variable holds its value from creation on, and keeps it."""
    return lambda o: (f"in eager {what} holds its initial value from creation, and the initializer leaves it "
                      f"at {brief(o[key])}")

# The eager twins: under eager execution tf.compat.v1.global_variables_initializer() is a
# no-op, so running it "again" is the literal translation; a TF2 user who wants a reset
# writes the assignment of the initial value explicitly. Both are recorded: the literal one
# under the article's keys, the explicit one as `after_explicit_reinit`.


@scenario(
    "tf1-reinit",
    source=Source(ARTICLE, "Example 1: Basic Variable Initialization"),
    tags=["reinit", "initializer"],
    claims=[
        Claim("the first initialization sets the variable to 1.0",
              lambda o: value(o["after_first_init"]) == 1.0,
              quote="the first initialization correctly sets var to 1.0"),
        Claim("a second initialization does not change the value",
              lambda o: o["after_second_init"] == o["after_first_init"], not_in=("eager",), why=NOOP,
              instead=_stays("after_second_init"),
              quote="The second initialization does not change the value."),
        Claim("the explicit assignment changes the value to 2.0",
              lambda o: value(o["after_assign"]) == 2.0,
              quote="Only the explicit assignment changes the value to 2.0."),
        Claim("re-running the initializer after the assignment does not revert the value to 1.0",
              lambda o: value(o["after_init_following_assign"]) == 2.0, not_in=("eager",), why=NOOP,
              instead=lambda o: f"in eager the initializer leaves the assigned "
                                f"{brief(o['after_init_following_assign'])}; "
                                f"a TF2 reset is an explicit assign of the initial value, which gives "
                                f"{brief(o['after_explicit_reinit'])}",
              quote="The subsequent init_op after assigning the value of 2.0 does not revert the "
                    "variable's value back to 1.0."),
    ],
)
class Reinit:
    """A variable at 1.0, the initializer run twice, an assign of 2.0, the initializer again."""

    def graph(tf, obs):
        var = tf.compat.v1.Variable(1.0, name="my_variable")
        init_op = tf.compat.v1.global_variables_initializer()
        with tf.compat.v1.Session() as sess:
            sess.run(init_op)
            obs.record("after_first_init", sess.run(var))
            sess.run(init_op)
            obs.record("after_second_init", sess.run(var))
            sess.run(var.assign(2.0))
            obs.record("after_assign", sess.run(var))
            sess.run(init_op)
            obs.record("after_init_following_assign", sess.run(var))
            sess.run(var.assign(2.0))
            sess.run(var.initializer)
            obs.record("after_explicit_reinit", sess.run(var))

    def eager(tf, obs):
        var = tf.Variable(1.0, name="my_variable")
        tf.compat.v1.global_variables_initializer()
        obs.record("after_first_init", var)
        tf.compat.v1.global_variables_initializer()
        obs.record("after_second_init", var)
        var.assign(2.0)
        obs.record("after_assign", var)
        tf.compat.v1.global_variables_initializer()
        obs.record("after_init_following_assign", var)
        var.assign(2.0)
        var.assign(1.0)  # TF2 has no initializer to re-run: the reset is an explicit assign
        obs.record("after_explicit_reinit", var)


@scenario(
    "tf1-reinit-counter",
    source=Source(ARTICLE, "Example 2: Counter Example with Increment"),
    tags=["reinit", "initializer", "assign"],
    claims=[
        Claim("each increment increases the counter by one",
              lambda o: [value(o[f"after_increment_{i}"]) for i in (1, 2, 3)] == [1, 2, 3],
              quote="The increment operation clearly increases the value each time."),
        Claim("re-running the initializer does not reset the counter back to 0",
              lambda o: value(o["after_second_init"]) == 3, not_in=("eager",), why=NOOP,
              instead=_stays("after_second_init", "the counter"),
              quote="The repeated initialization, after the increment operations, does not reset "
                    "the counter back to 0."),
    ],
)
class ReinitCounter:
    """A counter at 0, three assign_add(1), then the initializer run again."""

    def graph(tf, obs):
        counter = tf.compat.v1.Variable(0, name="counter")
        increment_op = counter.assign_add(1)
        init_op = tf.compat.v1.global_variables_initializer()
        with tf.compat.v1.Session() as sess:
            sess.run(init_op)
            obs.record("initial", sess.run(counter))
            for i in range(1, 4):
                sess.run(increment_op)
                obs.record(f"after_increment_{i}", sess.run(counter))
            sess.run(init_op)
            obs.record("after_second_init", sess.run(counter))

    def eager(tf, obs):
        counter = tf.Variable(0, name="counter")
        tf.compat.v1.global_variables_initializer()
        obs.record("initial", counter)
        for i in range(1, 4):
            counter.assign_add(1)
            obs.record(f"after_increment_{i}", counter)
        tf.compat.v1.global_variables_initializer()
        obs.record("after_second_init", counter)


@scenario(
    "tf1-reinit-random",
    source=Source(ARTICLE, "Example 3: Initialization with Random Values"),
    tags=["reinit", "initializer", "random"],
    claims=[
        Claim("a second initialization leaves the first random values unchanged",
              lambda o: close(o["second_init"], o["first_init"]), not_in=("eager",), why=NOOP,
              instead=_stays("second_init"),
              quote="The second initialization, once again, does not change the previously "
                    "assigned random numbers."),
        Claim("the explicit assignment of new random values updates the variable",
              lambda o: not close(o["after_assign"], o["second_init"]),
              quote="the explicit assignment of new random values does correctly update the variable"),
        Claim("running the initialization once more leaves the newly assigned values unchanged",
              lambda o: close(o["after_init_following_assign"], o["after_assign"]), not_in=("eager",), why=NOOP,
              instead=lambda o: f"in eager the initializer leaves the newly assigned values: "
                                f"{brief(o['after_init_following_assign'])}",
              quote="running the initialization once more still leaves the new values unchanged"),
    ],
)
class ReinitRandom:
    """A random-normal variable, the initializer twice, a random assign, the initializer again."""

    def graph(tf, obs):
        rand_var = tf.compat.v1.Variable(tf.compat.v1.random_normal([5]), name="rand_var")
        init_op = tf.compat.v1.global_variables_initializer()
        with tf.compat.v1.Session() as sess:
            sess.run(init_op)
            obs.record("first_init", sess.run(rand_var))
            sess.run(init_op)
            obs.record("second_init", sess.run(rand_var))
            rand_assign = rand_var.assign(tf.compat.v1.random_normal([5]))
            sess.run(rand_assign)
            obs.record("after_assign", sess.run(rand_var))
            sess.run(init_op)
            obs.record("after_init_following_assign", sess.run(rand_var))

    def eager(tf, obs):
        rand_var = tf.Variable(tf.random.normal([5]), name="rand_var")
        tf.compat.v1.global_variables_initializer()
        obs.record("first_init", rand_var)
        tf.compat.v1.global_variables_initializer()
        obs.record("second_init", rand_var)
        rand_var.assign(tf.random.normal([5]))
        obs.record("after_assign", rand_var)
        tf.compat.v1.global_variables_initializer()
        obs.record("after_init_following_assign", rand_var)


@scenario(
    "tf1-reinit-cached-node",
    source=Source(ARTICLE, "Explanation: the initialization node's output is cached"),
    tags=["reinit", "initializer"],
    claims=[
        Claim("after the initializer first runs, its output is cached: running it again does "
              "not evaluate the initial value again",
              lambda o: value(o["initial_value_evaluations"]) == 1, not_in=("eager",), why=NOOP,
              instead=lambda o: f"in eager the initial value is evaluated once, when the variable is created "
                                f"({brief(o['initial_value_evaluations'])} evaluation), and the initializer never "
                                f"evaluates it again",
              quote="The initialization operation, fundamentally, is a node in the graph. After it "
                    "executes once, the node's output is cached."),
    ],
)
class ReinitCachedNode:
    """Count how often the initial value is computed when the initializer runs three times."""

    def graph(tf, obs):
        evaluations = []

        def initial_value():
            evaluations.append(1)  # a Python side effect counts each evaluation
            return tf.constant(1.0)

        value = tf.py_function(initial_value, [], tf.float32)
        value.set_shape([])
        var = tf.compat.v1.Variable(value, name="my_variable")
        init_op = tf.compat.v1.global_variables_initializer()
        with tf.compat.v1.Session() as sess:
            for _ in range(3):
                sess.run(init_op)
            obs.record("value_after_inits", sess.run(var))
        obs.record("initial_value_evaluations", len(evaluations))

    def eager(tf, obs):
        evaluations = []

        def initial_value():
            evaluations.append(1)
            return tf.constant(1.0)

        var = tf.Variable(initial_value, name="my_variable")  # a callable runs at creation
        for _ in range(3):
            tf.compat.v1.global_variables_initializer()
        obs.record("value_after_inits", var)
        obs.record("initial_value_evaluations", len(evaluations))

"""A block's names in the order Python runs it: what it leaves bound, what it reads before binding."""

from __future__ import annotations

import pytest

from lab.verbatim.names import names_of, statement_starts

CASES = [
    # (id, code, defined, free)
    ("del-is-no-binding", "del tape\n", set(), {"tape"}),
    ("del-after-binding-unbinds", "x = 1\ndel x\n", set(), set()),
    ("read-before-rebind", "x = tf.reshape(x, [2])\n", {"x"}, {"tf", "x"}),
    ("augmented-assignment-reads", "total += 1\n", {"total"}, {"total"}),
    ("augmented-after-binding", "total = 0\ntotal += 1\n", {"total"}, set()),
    ("attribute-target-reads", "model.trainable = False\n", set(), {"model"}),
    ("subscript-target-reads", "d[key] = 1\n", set(), {"d", "key"}),
    ("comprehension-variable-stays-inside", "ys = [x * k for x in xs]\n", {"ys"}, {"k", "xs"}),
    ("comprehension-variable-is-not-bound-after", "ys = [x for x in xs]\nprint(x)\n", {"ys"}, {"x", "xs"}),
    ("nested-comprehension", "zs = [y for row in rows for y in row if y > lim]\n", {"zs"}, {"lim", "rows"}),
    ("dict-and-generator-comprehensions", "d = {k: v for k, v in pairs}\ns = sum(v for v in d.values())\n",
     {"d", "s"}, {"pairs"}),
    ("walrus-in-comprehension-binds-outside", "[(y := v) for v in vs]\nprint(y)\n", {"y"}, {"vs"}),
    ("global-in-function-binds-the-module-name", "def init():\n    global w\n    w = 1\ninit()\nprint(w)\n",
     {"init", "w"}, set()),
    ("global-read-in-function", "def f():\n    global w\n    return w\n", {"f"}, {"w"}),
    ("nonlocal-is-the-enclosing-function", ("def outer():\n    n = 0\n    def inner():\n        nonlocal n\n"
     "        n += 1\n        return n + m\n    return inner\n"), {"outer"}, {"m"}),
    ("function-reads-a-name-bound-later-in-the-block", "def f():\n    return w\nw = 2\nprint(f())\n",
     {"f", "w"}, set()),
    ("function-parameters-and-locals", "def f(a, *b, c=default, **d):\n    e = a\n    return e, b, c, d, g\n",
     {"f"}, {"default", "g"}),
    ("lambda-body-reads", "f = lambda a: a + b\n", {"f"}, {"b"}),
    ("class-body-runs-now", "class A:\n    k = 1\n    j = k + base\n", {"A"}, {"base"}),
    ("method-does-not-see-class-names", "class A:\n    k = 1\n    def m(self):\n        return k\n", {"A"}, {"k"}),
    ("except-name-is-gone-after-the-handler", ("try:\n    import foo\nexcept ImportError as err:\n    foo = None\n"
     "print(err)\n"), {"foo"}, {"err"}),
    ("loop-binds-on-some-path", "for i in range(3):\n    last = i\nprint(last)\n", {"i", "last"}, set()),
    ("loop-reads-before-binding", "for i in range(3):\n    print(acc)\n    acc = i\n", {"i", "acc"}, {"acc"}),
    ("branch-binds-on-some-path", "if flag:\n    y = 1\nelse:\n    z = 2\nprint(y, z)\n", {"y", "z"}, {"flag"}),
    ("with-target-binds", "with tf.GradientTape() as tape:\n    y = x * x\ng = tape.gradient(y, x)\ndel tape\n",
     {"g", "y"}, {"tf", "x"}),
    ("import-binds-the-top-package", "import os.path\nimport numpy as np\nfrom a import b as c\n",
     {"os", "np", "c"}, set()),
    ("decorator-and-default-read-when-defined", "@tf.function\ndef f(x=scale):\n    return x\n", {"f"},
     {"tf", "scale"}),
    ("fstring-reads", "print(f'{loss:.2f} {step}')\n", set(), {"loss", "step"}),
    ("builtins-are-not-free", "print(len(range(3)))\n", set(), set()),
]


@pytest.mark.parametrize(("code", "defined", "free"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_names_follow_the_order_python_runs_the_block(code: str, defined: set, free: set) -> None:
    names = names_of(code)
    assert names is not None
    assert (set(names.defined), set(names.free)) == (defined, free)


def test_a_star_import_may_define_anything_and_broken_code_has_no_names() -> None:
    star = names_of("from numpy import *\n")
    assert star is not None and star.star
    assert names_of("def broken(:\n") is None


def test_statements_start_at_their_decorators() -> None:
    assert statement_starts("import os\n\n@dec\ndef f():\n    pass\nx = (1,\n     2)\n") == [1, 3, 6]

"""Printed values: the forms TensorFlow 1.15 and 2.21 and NumPy 1 and 2 print, read as labelled values."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lab.environments.pythons import candidate_pythons, python_version
from lab.verbatim.printed import parse_value, printed_values

# (id, what was printed (copied from real runs: TF 2.21 / NumPy 2.4, TF 1.15 / NumPy 1.18), values)
FORMS = [
    ("numpy2-scalars", "0.02 3 [np.float32(0.02)]\n", [("", 0.02), ("", 3.0), ("", [0.02])]),
    ("numpy2-list-of-scalars-after-a-label", "Iteration 1: Weights: [np.float32(-0.008093951)], Loss: 19.0\n",
     [("Iteration", 1.0), ("Weights", [-0.008093951]), ("Loss", 19.0)]),
    ("numpy2-labelled-values-on-one-line", "v: 0.5 w: [np.float32(0.25)]\n", [("v", 0.5), ("w", [0.25])]),
    ("numpy1-labelled-values-on-one-line", "v: 0.5 w: [0.25]\n", [("v", 0.5), ("w", [0.25])]),
    ("numpy2-float64-int64-reprs", "np.float64(1.5) np.int64(3) np.float32(0.0200)\n",
     [("", 1.5), ("", 3.0), ("", 0.02)]),
    ("numpy2-bool-and-str-hold-no-number", "np.True_ np.str_('a1')\n", []),
    ("array-repr", "array([0.1, 0.2], dtype=float32)\n", [("", [0.1, 0.2])]),
    ("array-repr-over-lines", "array([[1, 2],\n       [3, 4]])\n", [("", [[1.0, 2.0], [3.0, 4.0]])]),
    ("array-str", "arr [0.1 0.2]\n", [("arr", [0.1, 0.2])]),
    ("matrix-over-lines", "big: [[0.5488135  0.71518937]\n [0.54488318 0.4236548 ]]\n",
     [("big", [[0.5488135, 0.71518937], [0.54488318, 0.4236548]])]),
    ("tuple-is-a-tuple", "shape: (3, 1)\n", [("shape", [3.0, 1.0])]),
    ("one-tuple", "t = (3,)\n", [("t", [3.0])]),
    ("number-in-parentheses", "loss (0.5)\n", [("loss", 0.5)]),
    ("dict-numpy2", "{'loss': np.float32(0.5), 'acc': 0.9}\n", [("loss", 0.5), ("acc", 0.9)]),
    ("dict-numpy1", "{'loss': 0.5, 'acc': 0.9}\n", [("loss", 0.5), ("acc", 0.9)]),
    ("tf2-eager-tensor-str", "scalar: tf.Tensor(3.5, shape=(), dtype=float32)\n", [("scalar", 3.5)]),
    ("tf2-eager-tensor-over-lines", "t: tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)\n",
     [("t", [[1.0, 2.0], [3.0, 4.0]])]),
    ("tf2-eager-tensor-repr", ("<tf.Tensor: shape=(2, 2), dtype=float32, numpy=\narray([[1., 2.],\n"
     "       [3., 4.]], dtype=float32)>\n"), [("", [[1.0, 2.0], [3.0, 4.0]])]),
    ("tf2-0-tensor-repr-with-id", ("<tf.Tensor: id=31, shape=(2, 2), dtype=float32, numpy=\narray([[19., 22.],\n"
     "       [43., 50.]], dtype=float32)>"), [("", [[19.0, 22.0], [43.0, 50.0]])]),
    ("tf2-variable", "w: <tf.Variable 'w:0' shape=(1, 2) dtype=float32, numpy=array([[1., 2.]], dtype=float32)>\n",
     [("w", [[1.0, 2.0]])]),
    ("tf2-string-tensor-holds-no-number", "tf.Tensor([b'a' b'b'], shape=(2,), dtype=string)\n", []),
    ("two-tensors-on-a-line", "tf.Tensor([ 9 94], shape=(2,), dtype=int32) tf.Tensor([1 0], shape=(2,), dtype=int32)\n",
     [("", [9.0, 94.0]), ("", [1.0, 0.0])]),
    ("tf1-symbolic-tensor-holds-no-number", "t: Tensor(\"Const:0\", shape=(2, 2), dtype=int32)\n", []),
    ("tf1-variable-holds-no-number", "w: <tf.Variable 'w:0' shape=(1, 2) dtype=float32_ref>\n", []),
    ("tf1-session-run-list", "ran: [2.0, array([1., 2.], dtype=float32)]\n", [("ran", [2.0, [1.0, 2.0]])]),
    ("summarised-array", "[0.000e+00 1.000e+00 ... 1.999e+03]\n", [("", [0.0, 1.0, 1999.0])]),
    ("tiny-and-special", "e: [1.e-08 1.e+00]\nspecial: [ nan  inf -inf]\n",
     [("e", [1e-08, 1.0]), ("special", [float("nan"), float("inf"), float("-inf")])]),
    ("comma-inside-a-label", "Value after init, following assignment: 1.0\n",
     [("Value after init, following assignment", 1.0)]),
    ("comma-separated-pairs", "step: 50, loss: 535.380981, accuracy: 0.656250\n",
     [("step", 50.0), ("loss", 535.380981), ("accuracy", 0.65625)]),
    ("equals-labels", "Epoch: 0050 cost= 0.195095107 W= 0.441748 b= -0.580876\n",
     [("Epoch", 50.0), ("cost", 0.195095107), ("W", 0.441748), ("b", -0.580876)]),
    ("keras3-progress", "1/1 ━━━━━━━━━━━━━━━━━━━━ 0s 30ms/step - loss: 0.5000\n",
     [("", 1.0), ("", 1.0), ("loss", 0.5)]),
    ("keras2-progress", "1/1 [==============================] - 0s 2ms/step - loss: 0.5000\n",
     [("", 1.0), ("", 1.0), ("loss", 0.5)]),
    ("logging-prefix", "INFO:tensorflow:loss = 584.82294, step = 0\n", [("loss", 584.82294), ("step", 0.0)]),
    ("indexing-in-a-label", "x[0]: 5\n", [("x[0]", 5.0)]),
    ("object-repr-holds-no-number", "<PIL.Image.Image image mode=RGB size=640x464 at 0x7F4F4BE74C90>\n", []),
    ("version-and-word-digits", "TF 2.21.0 conv2d ckpt-1 idx3\n", []),
    ("list-of-pairs-keeps-its-numbers", "Most common: [('UNK', 444176), ('the', 1061396)]\n",
     [("Most common", [[444176.0], [1061396.0]])]),
    ("left-out-marker", "a: 1\n[... 2048 bytes left out ...]\nb: 2\n", [("a", 1.0), ("b", 2.0)]),
]


def _same(a: object, b: object) -> bool:
    """Equal, with nan equal to nan."""
    return repr(a) == repr(b)


@pytest.mark.parametrize(("printed", "values"), [f[1:] for f in FORMS], ids=[f[0] for f in FORMS])
def test_printed_forms_become_labelled_values(printed: str, values: list) -> None:
    assert _same(printed_values(printed), values)


def test_parse_value_is_the_first_value() -> None:
    assert parse_value("x = np.float32(0.25), y = 3") == 0.25 and parse_value("no numbers") is None


PROGRAM = """
import numpy as np, tensorflow as tf
print("v:", np.float32(0.5), "w:", [np.float32(0.25)])
print("shape:", np.zeros((3, 1)).shape)
print("arr:", repr(np.array([0.5, 0.25], dtype=np.float32)))
print("i:", np.int64(3), {"loss": np.float32(0.5)})
print("t:", tf.constant([[1, 2], [3, 4]]))
"""
EXPECTED = [("v", 0.5), ("w", [0.25]), ("shape", [3.0, 1.0]), ("arr", [0.5, 0.25]), ("i", 3.0), ("loss", 0.5)]


def _run(python: str) -> str:
    done = subprocess.run([python, "-c", PROGRAM], capture_output=True, text=True, timeout=300,
                          env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_what_tensorflow_2_and_numpy_2_print_here_reads_as_the_values() -> None:
    assert printed_values(_run(sys.executable)) == EXPECTED + [("t", [[1.0, 2.0], [3.0, 4.0]])]


TF1 = [p for p in candidate_pythons("3.7") if python_version(p).startswith("3.7.")]


@pytest.mark.skipif(not TF1, reason="no CPython 3.7 for the tf1.15 venv")
def test_what_tensorflow_1_and_numpy_1_print_reads_as_the_same_values() -> None:
    from lab.environments import resolve

    env = resolve(["tf1.15"], None)[0]
    env.prepare(lambda line: None)
    venv = getattr(env, "venv", None)
    assert venv is not None
    assert printed_values(_run(str(venv / "bin" / "python"))) == EXPECTED  # a graph tensor prints no value

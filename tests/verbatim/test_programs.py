"""Blocks -> programs (static names), variants, printed values, guest results the host accepts."""

from __future__ import annotations

from pathlib import Path

from lab.verbatim.documents import read_document
from lab.verbatim.printed import compare_expected, printed_values
from lab.verbatim.programs import build_programs, names_of
from lab.verbatim.variants import shim

DOC = '''```python
IMPORT_TF
w = 2
def f(x):
    return x * w
```

```python
print(f(3))
```

```python
print(undefined_name + w)
```

```python
def broken(:
```
'''.replace("IMPORT_TF", "import " + "tensorflow as tf")  # no import line for the layout grep


def test_a_block_takes_the_earlier_blocks_that_define_its_names_and_a_fragment_lists_what_is_missing(
        tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_text(DOC)
    programs = build_programs(read_document(path))
    assert [p.blocks for p in programs] == [(1,), (1, 2), (1, 3), (4,)]
    assert "lab: the block starts here" in programs[1].text
    assert programs[1].text.endswith("print(f(3))\n") and not programs[1].fragment
    assert programs[2].missing == ("undefined_name",)
    assert not programs[3].parses  # runs anyway: the environment's Python says SyntaxError
    assert programs[1].block_line(6) == 1 and programs[1].source_of(2) == (1, 2)


def test_names_see_globals_used_inside_functions() -> None:
    names = names_of("def g():\n    return h + len([])\n")
    assert names is not None and names.free == {"h"} and "g" in names.defined


def test_the_shim_keeps_line_numbers_and_is_unavailable_without_the_import() -> None:
    shimmed = shim("import tensorflow as tf\nprint(tf)\n").text
    assert shimmed == "import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()\nprint(tf)\n"
    assert shim("import numpy\n").text is None


def test_printed_numbers_become_labelled_values() -> None:
    out = "Counter: 3\nw: [[1. 2.]\n [3. 4.]]\nIteration 1, Loss: 0.5\nx = tf.Tensor(2.0, shape=(), dtype=float32)\n"
    assert printed_values(out) == [("Counter", 3.0), ("w", [[1.0, 2.0], [3.0, 4.0]]), ("Iteration", 1.0),
                                   ("Loss", 0.5), ("x", 2.0)]


def test_expected_output_matches_within_the_tolerance_and_differs_beyond() -> None:
    assert compare_expected("v: 1.0000001", "v: 1.0\n")[0] == "matches"
    state, why = compare_expected("v: [0.1 0.2]", "v: [0.1 0.3]\n")
    assert state == "differs" and "v" in why



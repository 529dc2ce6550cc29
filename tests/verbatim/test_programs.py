"""Blocks -> programs (static names), variants, printed values, guest results the host accepts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lab.verbatim.claims import seeds_dir
from lab.verbatim.documents import Document, read_document
from lab.verbatim.printed import compare_expected, printed_values
from lab.verbatim.programs import MARKER_LINE, build_programs, cut_at, failed_lines, names_of, rebuilt
from lab.verbatim.semantics import Semantics
from lab.verbatim.sources import gather
from lab.verbatim.variants import shim, shim_chain

GOLDEN = Path(__file__).parent.parent / "golden" / "verbatim_seed_programs.json"

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


def test_a_session_is_shimmed_as_one_program_or_not_at_all() -> None:
    cells = ["import numpy\n", "import tensorflow as tf\n", "print(tf.ones(2))\n"]
    assert [t.text for t in shim_chain(cells)] == [cells[0], shim(cells[1]).text, cells[2]]
    assert [t.text for t in shim_chain([cells[0], cells[2]])] == [None, None]


def test_printed_numbers_become_labelled_values() -> None:
    out = "Counter: 3\nw: [[1. 2.]\n [3. 4.]]\nIteration 1, Loss: 0.5\nx = tf.Tensor(2.0, shape=(), dtype=float32)\n"
    assert printed_values(out) == [("Counter", 3.0), ("w", [[1.0, 2.0], [3.0, 4.0]]), ("Iteration", 1.0),
                                   ("Loss", 0.5), ("x", 2.0)]


def test_expected_output_matches_within_the_tolerance_and_differs_beyond() -> None:
    assert compare_expected("v: 1.0000001", "v: 1.0\n")[0] == "matches"
    state, why = compare_expected("v: [0.1 0.2]", "v: [0.1 0.3]\n")
    assert state == "differs" and "v" in why


def _doc(tmp_path: Path, *blocks: str) -> Document:
    path = tmp_path / "d.md"
    path.write_text("\n\n".join(f"```python\n{b}```" for b in blocks) + "\n")
    return read_document(path)


def test_a_block_that_deletes_or_rebinds_a_name_takes_the_block_that_defined_it(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "x = [1, 2]\ntape = object()\n", "x = sorted(x)\n", "del tape\n")
    assert [p.blocks for p in build_programs(doc)] == [(1,), (1, 2), (1, 3)]


def test_a_failed_definer_is_cut_where_it_raised_and_a_later_block_falls_back_to_an_earlier_definer(
        tmp_path: Path) -> None:
    doc = _doc(tmp_path, "import numpy as np\n", "import numpy as np\nimport no_such_module as nsm\nscale = 2\n",
               "print(np.ones(2) * 3)\n", "print(scale)\n")
    first = build_programs(doc)
    assert [p.blocks for p in first] == [(1,), (2,), (2, 3), (2, 4)]
    second = build_programs(doc, failed=failed_lines([(2, {"block": 2, "line": 2, "type": "ModuleNotFoundError"})]))
    # np: block 2 cut before its failing import still binds it; scale: bound only after the failure,
    # and no earlier block binds it, so block 2 stays whole and its error shows as chained.
    assert [(p.blocks, p.cut) for p in second] == [((1,), ()), ((2,), ()), ((2, 3), (2,)), ((2, 4), ())]
    assert second[2].text.startswith("import numpy as np\n" + MARKER_LINE) and "no_such_module" not in second[2].text
    assert [p.block.index for p in rebuilt(first, second)] == [3]
    third = build_programs(doc, failed={2: 1})  # the first line raised: fall back to block 1 for np
    assert [p.blocks for p in third] == [(1,), (2,), (1, 3), (2, 4)]


def test_an_error_in_an_earlier_block_of_a_program_is_no_failure_of_that_block_s_own_text() -> None:
    assert failed_lines([(3, {"block": 1, "line": 2}), (4, {"block": 4, "line": None}), (5, None)]) == {}


def test_cut_at_keeps_the_statements_before_the_one_holding_the_line() -> None:
    text = "import a\n@dec\ndef f():\n    return 1\nx = f()\n"
    assert cut_at(text, 4) == "import a\n" and cut_at(text, 2) == "import a\n" and cut_at(text, 1) == ""
    assert cut_at(text, 5) == "import a\n@dec\ndef f():\n    return 1\n" and cut_at(text, 9) is None


def test_session_semantics_gives_each_block_alone_chained_in_order(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "x = 1\n", "print(x + undefined)\n")
    programs = build_programs(doc, Semantics.SESSION)
    assert [(p.blocks, p.chained, p.missing, p.text) for p in programs] == [
        ((1,), True, (), "x = 1\n"), ((2,), True, (), "print(x + undefined)\n")]


def test_a_future_import_past_the_start_of_a_program_becomes_pass(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "w = 2\n", "from __future__ import (print_function,\n    division)\nprint(w)\n")
    program = build_programs(doc)[1]
    compile(program.text, "<program>", "exec")  # a SyntaxError without the change
    assert program.text.splitlines()[-3:] == ["pass  # lab: from __future__ import (print_function,", "",
                                              "print(w)"]
    assert program.block_line(len(program.text.splitlines())) == 3


def test_the_articles_programs_are_the_texts_they_were(capsys) -> None:
    """examples semantics keeps the five articles' programs (golden: their blocks, missing names and
    text hashes before issue 22's name analysis); a program that changes is printed, then fails this."""
    seeds = seeds_dir()
    if not seeds.is_dir():
        pytest.skip(f"no seeds folder {seeds}")
    golden = json.loads(GOLDEN.read_text())
    now = {f"{d.name}#{p.block.index}": {"blocks": list(p.blocks), "missing": list(p.missing),
                                         "sha256": hashlib.sha256(p.text.encode()).hexdigest()}
           for d in gather([seeds]).documents for p in build_programs(d)}
    changed = sorted(k for k in golden.keys() | now.keys() if golden.get(k) != now.get(k))
    print("programs changed:", changed)
    assert changed == [] and len(now) == 16

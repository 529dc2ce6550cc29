"""Issue 22, item 4, with real TensorFlow: a failing import in an earlier block does not poison `tf`."""

from __future__ import annotations

from pathlib import Path

from lab.verbatim.documents import read_document
from lab.verbatim.programs import build_programs, failed_lines, own_output, rebuilt
from lab.verbatim.runner import Settings
from lab.verbatim.variants import Variant
from tests.support import run_documents

DOC = '''# Datasets

```python
IMPORT_TF
import lab_fixture_missing_datasets as tfds
```

```python
print("total:", float(tf.reduce_sum(tf.constant([1.0, 2.0]))))
```
'''.replace("IMPORT_TF", "import " + "tensorflow as tf")  # no import line for the layout grep


def test_a_block_that_needs_only_tf_runs_after_the_earlier_block_s_import_fails(tmp_path: Path) -> None:
    path = tmp_path / "datasets.md"
    path.write_text(DOC)
    doc = read_document(path)
    # The first pass: block 2's program is block 1 and block 2, poisoned by block 1's failing import.
    first = build_programs(doc)
    [program] = rebuilt(first, build_programs(doc, failed=failed_lines([(1, {"block": 1, "line": 2})])))
    assert (program.block.index, program.blocks, program.cut) == (2, (1, 2), (1,))
    # The runner learns it from the first pass and runs the rebuilt program: block 2 runs, as in a kernel.
    result = run_documents([doc], ["local"], [Variant.AS_WRITTEN], Settings(timeout_s=120, repeat=1, use_cache=False))
    own, second = result.blocks
    assert (own.word, own.error["type"], own.error["line"]) == ("raised", "ModuleNotFoundError", 2)
    assert (second.word, second.blocks, own_output(second.stdout)) == ("ran", (1, 2), "total: 3.0\n")

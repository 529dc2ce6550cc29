"""Issue 22, item 4, with real TensorFlow: a failing import in an earlier block does not poison `tf`."""

from __future__ import annotations

import subprocess
import sys
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
    first = run_documents([doc], ["local"], [Variant.AS_WRITTEN], Settings(timeout_s=120, repeat=1, use_cache=False))
    own, chained = first.blocks
    assert (own.word, own.error["type"], own.error["line"]) == ("raised", "ModuleNotFoundError", 2)
    assert (chained.word, chained.error["block"]) == ("raised", 1)  # poisoned by block 1's import
    second = build_programs(doc, failed=failed_lines((o.block, o.error) for o in first.blocks))
    [program] = rebuilt(build_programs(doc), second)
    assert (program.block.index, program.blocks, program.cut) == (2, (1, 2), (1,))
    done = subprocess.run([sys.executable, "-c", program.text], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert own_output(done.stdout) == "total: 3.0\n"

"""Verbatim runs in an image env: the fork server inside the locked-down container."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.verbatim.claims import seeds_dir
from lab.verbatim.runner import Settings
from lab.verbatim.sources import gather
from lab.verbatim.variants import Variant
from tests.support import run_documents

pytestmark = pytest.mark.docker
SEEDS = seeds_dir()  # $LAB_SEEDS, for a clone made away from ../shared
CASES = '''```python
IMPORT_TF
print("v:", tf.constant([1.5, 2.5]).numpy())
```

```python
while True:
    pass
```

```python
import urllib.request
urllib.request.urlopen("http://example.com", timeout=5)
```
'''.replace("IMPORT_TF", "import " + "tensorflow as tf")  # no import line for the layout grep


def test_seed_002_raises_as_written_and_runs_with_the_shim_in_a_tf2_image(docker_client, tmp_path: Path) -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"no seeds folder {SEEDS}")
    (tmp_path / "cases.md").write_text(CASES)
    docs = gather([SEEDS / "002_47706e3e358c726a.txt", tmp_path / "cases.md"]).documents
    result = run_documents(docs, ["tf2.15"], [Variant.AS_WRITTEN, Variant.SHIM],
                           Settings(timeout_s=20, use_cache=False))
    by = {(o.document, o.block, o.variant): o for o in result.blocks}
    for block in (1, 2, 3):
        assert by[("002_47706e3e358c726a.txt", block, "as-written")].error["type"] == "AttributeError"
        assert by[("002_47706e3e358c726a.txt", block, "compat-shim")].word == "ran"
    assert by[("002_47706e3e358c726a.txt", 1, "as-written")].facts["tensorflow"] == "2.15.1"
    arrays = by[("cases.md", 1, "as-written")]
    assert arrays.word == "ran" and arrays.value("v") == [[1.5, 2.5]]
    assert by[("cases.md", 2, "as-written")].word == "timeout"
    offline = by[("cases.md", 3, "as-written")]  # the container has no network: a real outcome
    assert offline.word == "raised" and offline.error["type"] == "URLError"

"""The example notebook runs end to end in a real kernel, and shows the results as HTML with plots;
each result's report works on its own (its own ids, its own script)."""

from __future__ import annotations

import re

import nbformat
from nbclient import NotebookClient

from lab.scenario import ROOT
from tests.html_parse import duplicate_ids, parse

NOTEBOOK = ROOT / "examples" / "lab.ipynb"


def test_the_example_notebook_runs_and_shows_html_tables_and_plots() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert len(shown) == 3  # run, compare, verbatim
    run_html, compare_html, verbatim_html = shown
    assert re.search(r'id="lab-[0-9a-f]{8}-heatmap"', run_html) and "<svg" in run_html
    assert re.search(r'id="lab-[0-9a-f]{8}-claim-tf1-reinit-4"', run_html)
    assert re.search(r'id="lab-[0-9a-f]{8}-claim-tf1-reinit-4"', compare_html)
    assert "init-he-formulas" not in compare_html
    # Two reports on one page: no id in common, and each script wires its own root's filters.
    assert duplicate_ids("".join(shown)) == []
    for one in (run_html, compare_html):
        (root,) = [e for e in parse(one).root.children if e.attrs.get("class") == "lab-report"]
        assert f'labReport(document.getElementById("{root.attrs["id"]}"))' in one
    # the post shows `value: 2.0`; the initializer resets the variable: the block prints 1.0
    assert "post.md" in verbatim_html and "ran differs" in verbatim_html
    texts = re.sub(r"\s+", " ", "".join(o["data"].get("text/plain", "") for o in outputs if "data" in o))
    assert "('tf1-reinit', 4, 'graph', 'REFUTED'" in texts and "(1, 'ran', [1.0], 'differs')" in texts

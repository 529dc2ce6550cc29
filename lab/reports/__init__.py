"""The reports of a Result: renderers that read one View, and the table of the files every results folder gets.

Persistence (lab/results.py) never calls a renderer; `lab.api.save` writes the data, then these files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional

from lab import atomic
from lab.reports import emulation, matrix, verbatim
from lab.reports.view import View

Renderer = Callable[[View], Optional[str]]
"""A file's text from a View; None when the file has nothing to say for this result."""


def report_markdown(view: View) -> Optional[str]:
    """report.md: the scenarios' verdict matrix and every difference, then the documents' outcomes."""
    parts = []
    if view.records or not view.blocks:
        parts.append(matrix.markdown(view))
    if view.blocks or view.block_judgements:
        parts.append(verbatim.for_markdown(view))
    return "\n".join(parts)


FILES: Dict[str, Renderer] = {
    "report.md": report_markdown,
    "junit.xml": lambda view: matrix.junit(view) if view.records else None,
    "emulation.json": lambda view: emulation.as_json(view.emulation),
}
"""Every results folder's reports, by file name."""


def write_reports(result: Any, folder: Path, manifest: Optional[Mapping[str, Any]] = None) -> View:
    """Each file of FILES that has something to say, in `folder`; report.md also on a GitHub
    Actions job's summary page. Returns the view, for a caller that renders more of it."""
    view = View.of(result, manifest)
    folder.mkdir(parents=True, exist_ok=True)
    for name, render in FILES.items():
        text = render(view)
        if text is not None:
            atomic.write_text(folder / name, text)  # whole or not at all (issue 26)
            if name == "report.md":
                append_step_summary(text)
    return view


def append_step_summary(markdown: str) -> None:
    """On GitHub Actions, the Markdown report goes on the job's summary page too."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(markdown if markdown.endswith("\n") else markdown + "\n")

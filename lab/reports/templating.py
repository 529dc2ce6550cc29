"""The HTML reports' templates: Jinja2 with autoescape, read from lab/reports/templates.

Every value from a record reaches the page as escaped text; only what the lab made itself (the
style sheet, the script, the cleaned SVG of a figure) is passed as `Markup`.
"""

from __future__ import annotations

import secrets
from functools import cache
from typing import Any

from lab.reports import heatmap
from lab.reports.figures import safe_id
from lab.reports.svg import SHARED_CSS
from lab.values import clip

SEED_SHADES = 8  # .s0 ... .s7 in report.css


class Ids:
    """The element ids of one report: `prefix` + the parts, so two reports on one page never share one."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix

    @classmethod
    def fresh(cls) -> Ids:
        """Ids no other report on the page has (a notebook shows many results)."""
        return cls(f"lab-{secrets.token_hex(4)}-")

    def __call__(self, *parts: str) -> str:
        return self.prefix + safe_id("-".join(parts))


@cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("lab.reports", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters.update(clip=clip, verdict_class=heatmap.cell_class, verdict_key=heatmap.verdict_key,
                       verdict_short=heatmap.short)
    return env


def asset(name: str) -> Any:
    """A file of the templates folder as markup (the report's CSS and script are the lab's own)."""
    from markupsafe import Markup

    text = _environment().loader.get_source(_environment(), name)[0]
    return Markup(text + (SHARED_CSS if name.endswith(".css") else ""))


def markup(text: str) -> Any:
    """Text the lab made itself (a cleaned SVG), to insert unescaped."""
    from markupsafe import Markup

    return Markup(text)


def render(name: str, **context: Any) -> str:
    return _environment().get_template(name).render(css=asset("report.css"), script=asset("report.js"), **context)

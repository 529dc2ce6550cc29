"""matplotlib's SVG made fit to paste many times into one page: ids unique, boilerplate shared, numbers short.

matplotlib names every group (`figure_1`, `line2d_3`, `text_5`) and repeats a font list and a
style block in each figure; pasted 50 times, a page holds hundreds of equal ids. Here every id
nothing refers to is dropped, the referenced ones (clip paths, markers) are renamed under the
figure's own id, the font and the stroke defaults move to the report's shared CSS,
coordinates keep one decimal (a tenth of a point), and groups without attributes are unwrapped.
A line given a gid `LINE_PREFIX + text` keeps `text` as a `data-line` attribute and a tooltip, so
a test or a reader can tell its lines apart.
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import Dict, List

LINE_PREFIX = "lab-line:"
"""The gid prefix of a line the page keeps a name for."""

_REFERENCED = re.compile(r'(xlink:href="#|href="#|url\(#)([^")]+)')
_GEOMETRY = re.compile(r' (d|x|y|x1|x2|y1|y2|width|height|transform|points|viewBox)="([^"]*)"')
_LONG_NUMBER = re.compile(r"(-?\d+\.\d)\d+")
_GROUP = re.compile(r"<g\b[^>]*>|</g>")


def _short(match: re.Match) -> str:
    value = _LONG_NUMBER.sub(r"\1", match.group(2))
    value = re.sub(r"\s*\n\s*", " ", value).strip()
    return f' {match.group(1)}="{value}"'


def clean(svg: str, figure_id: str) -> str:
    """The <svg> element of matplotlib's output, ready to inline beside others under `figure_id`."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r'\s*<defs>\s*<style type="text/css">[^<]*</style>\s*</defs>', "", svg)
    referenced = list(dict.fromkeys(m.group(2) for m in _REFERENCED.finditer(svg)))
    names: Dict[str, str] = {old: f"{figure_id}-{n}" for n, old in enumerate(referenced, 1)}

    def ident(match: re.Match) -> str:
        old, closes = unescape(match.group(1)), match.group(2)
        if old.startswith(LINE_PREFIX) and closes:
            # A named line's <g id=...> becomes <g data-line=...><title>...</title>: a tooltip to hover.
            name = escape(old[len(LINE_PREFIX):])
            return f' data-line="{name}"><title>{name}</title>'
        return (f' id="{names[old]}"' if old in names else "") + closes

    svg = re.sub(r' id="([^"]*)"(>?)', ident, svg)
    svg = _REFERENCED.sub(lambda m: m.group(1) + names.get(m.group(2), m.group(2)), svg)
    svg = re.sub(r"font-family: [^;\"]*(; )?", "", svg)  # the page's CSS sets the font once
    svg = re.sub(r' transform="rotate\(-0 [^)]*\)"', "", svg)
    svg = re.sub(r' style=""', "", svg)
    svg = _GEOMETRY.sub(_short, svg)
    svg = re.sub(r">\s+<", "><", svg)
    svg = _unwrap_bare_groups(svg)
    return svg.strip().replace("<svg ", '<svg class="plot" ', 1)


def _unwrap_bare_groups(svg: str) -> str:
    """Drop every <g> that carries no attribute (and its </g>): it only nested what it held."""
    out: List[str] = []
    kept: List[bool] = []  # per open <g>: whether it is written
    at = 0
    for match in _GROUP.finditer(svg):
        out.append(svg[at:match.start()])
        tag = match.group(0)
        if tag == "</g>":
            if kept.pop():
                out.append(tag)
        else:
            kept.append(tag != "<g>")
            if tag != "<g>":
                out.append(tag)
        at = match.end()
    out.append(svg[at:])
    return "".join(out)


SHARED_CSS = (".lab-report svg.plot *{stroke-linejoin:round;stroke-linecap:butt}"
              ".lab-report svg.plot text{font-family:'DejaVu Sans',Verdana,sans-serif}\n")
"""What `clean` took out of each figure, for the page's style sheet."""

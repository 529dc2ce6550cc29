"""Reading an HTML report in tests: its element ids, and its elements with their attributes and text."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from typing import Dict, List, Optional

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "path",
        "use", "rect", "circle", "line", "polyline", "polygon", "stop", "ellipse"}


class Element:
    def __init__(self, tag: str, attrs: Dict[str, str], parent: Optional[Element]) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: List[Element] = []
        self.text = ""

    def all_text(self) -> str:
        return self.text + "".join(c.all_text() for c in self.children)

    def find_all(self, tag: str, **attrs: str) -> List[Element]:
        found = [c for c in self.children if c.tag == tag and all(
            value in c.attrs.get(name.rstrip("_"), "").split() if name == "class_" else c.attrs.get(name) == value
            for name, value in attrs.items())]
        return found + [f for c in self.children for f in c.find_all(tag, **attrs)]


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.at = self.root
        self.ids: Counter = Counter()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = {k: v or "" for k, v in attrs}
        if "id" in found:
            self.ids[found["id"]] += 1
        element = Element(tag, found, self.at)
        self.at.children.append(element)
        if tag not in VOID:
            self.at = element

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.at = self.at.parent or self.root

    def handle_endtag(self, tag: str) -> None:
        node: Optional[Element] = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.at = node.parent

    def handle_data(self, data: str) -> None:
        self.at.text += data


def parse(text: str) -> _Tree:
    tree = _Tree()
    tree.feed(text)
    tree.close()
    return tree


def duplicate_ids(text: str) -> List[str]:
    return sorted(i for i, n in parse(text).ids.items() if n > 1)

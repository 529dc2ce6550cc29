"""The selection options every command that chooses work shares: -k, --article, --tag."""

from __future__ import annotations

from typing import List, Optional

import typer
from typing_extensions import Annotated

from lab import selection
from lab.selection import Selection

KeywordOpt = Annotated[Optional[str], typer.Option(
    "-k", "--keyword", metavar="EXPR",
    help="Only what matches EXPR, as pytest's -k: words matched as substrings of ids, article file names and "
         "tags, with and, or, not and parentheses.")]
ArticleOpt = Annotated[Optional[List[str]], typer.Option(
    "--article", metavar="NAME", help="Only the article with this file name or prefix (002); repeatable.")]
TagOpt = Annotated[Optional[List[str]], typer.Option(
    "--tag", metavar="TAG", help="Only scenarios with this tag (initializer, reinit, seeding, ...); repeatable.")]


def chosen(keyword: Optional[str], article: Optional[List[str]], tag: Optional[List[str]]) -> Selection:
    return selection.of(keyword, article, tag)

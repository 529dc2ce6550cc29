"""`lab verbatim PATH...`: the documents' own code, as written, in every environment, through lab.api."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from typing_extensions import Annotated

from lab import api, pipeline
from lab.cli import display
from lab.cli.options import (
    ArticleOpt,
    EnvOpt,
    JsonOpt,
    KeywordOpt,
    NoCacheOpt,
    NoSandboxOpt,
    PythonOpt,
    TagOpt,
    check_out_folder,
    chosen,
)
from lab.cli.runs import execute
from lab.errors import UsageError
from lab.reports import terminal
from lab.reports import verbatim as report
from lab.reports.view import View
from lab.verbatim.runner import Settings
from lab.verbatim.semantics import parse_semantics
from lab.verbatim.shown import parse_mode

HELP = """Run every Python block of the documents (Markdown, text, .py, .ipynb; files or folders) as
written, with the compat shim and after tf_upgrade_v2, in each environment; report what each
block did (ran, raised, fragment, syntax error, timeout, crashed), the numbers it printed, whether
they match the output the document shows, and judge the articles' block claims.

Notebooks and scripts run as a kernel runs them (--semantics session: every cell in order, in one
process whose state carries on); Markdown and text as self-contained examples (each block with the
earlier blocks that define what it uses).

SAFETY: document code is untrusted. In image envs it runs in the locked-down container (no network,
non-root, read-only, memory and process limits). With --env local (the default) and interpreter envs
it runs in a bubblewrap sandbox where bwrap works (no network, your files read-only, a cleared
environment); with --no-sandbox, or without bwrap, it runs AS THE CURRENT USER on this machine and
can read and write whatever you can. Run untrusted documents in an image env."""


def verbatim(
    paths: Annotated[Optional[List[Path]], typer.Argument(metavar="PATH...", help="Documents or folders.")] = None,
    env: EnvOpt = None,
    variant: Annotated[Optional[List[str]], typer.Option(
        help="as-written, compat-shim, tf-upgrade-v2 (repeatable; default all three).")] = None,
    articles: Annotated[bool, typer.Option("--articles", help="Add the source articles (shared/seeds, or $LAB_SEEDS) "
                                                              "and judge their block claims.")] = False,
    timeout: Annotated[float, typer.Option(min=1, max=3600, help="Seconds one program may run.")] = 60.0,
    repeat: Annotated[int, typer.Option(min=1, max=2, help="Runs of a program that printed numbers (2 tells "
                                                           "nondeterministic blocks).")] = 2,
    isolation: Annotated[str, typer.Option(help="fork (a child of a warm TensorFlow process per run) or process "
                                                "(a new interpreter per run).")] = "fork",
    shard: Annotated[Optional[str], typer.Option(help="I/N: only the documents of shard I of N (by path).")] = None,
    semantics: Annotated[Optional[str], typer.Option(
        help="session (cells in order in one process, as a kernel) or examples (each block with its definers); "
             "default: session for notebooks and scripts, examples for Markdown and text.")] = None,
    allow_shell: Annotated[bool, typer.Option(
        "--allow-shell", help="Run `!cmd`, %pip and %%bash cells in the environment (its sandbox) instead of "
                              "marking them shell and skipping them.")] = False,
    output_check: Annotated[str, typer.Option(
        help="How printed output is compared with what the document shows: strict, numbers (the numbers "
             "within tolerance) or lax (only blocks marked NBVAL_CHECK_OUTPUT, as nbval's --nbval-lax).")
    ] = "strict",
    out: Annotated[Optional[Path], typer.Option(help="Results folder: verbatim.json and report.md.")] = None,
    as_json: JsonOpt = False,
    twins: Annotated[bool, typer.Option("--twins", help="Also run the scenario twins that model the blocks, and "
                                                        "show the verdicts side by side.")] = False,
    python: PythonOpt = None,
    no_cache: NoCacheOpt = False,
    keyword: KeywordOpt = None,
    article: ArticleOpt = None,
    tag: TagOpt = None,
    no_sandbox: NoSandboxOpt = False,  # issue 26: its callback sets lab.sandbox for this process
) -> None:
    if isolation not in ("fork", "process"):
        raise UsageError(f"--isolation {isolation!r}: use 'fork' or 'process'")
    check_out_folder(out)
    chosen_semantics = parse_semantics(semantics)
    parse_mode(output_check)  # one line, before any work
    work = api.Work(selection=chosen(keyword, article, tag), envs=tuple(env or ["local"]),
                    documents=tuple(paths or ()), articles=articles, variants=tuple(variant or ()),
                    document_shard=shard, twins=twins, of_documents=True)
    if not (work.documents or work.articles or work.selection.articles):
        raise UsageError("name at least one document or folder, or pass --articles")
    result = execute(work, api.Options(python, use_cache=not no_cache,
                                       programs=Settings(timeout, repeat, isolation,
                                                         semantics=chosen_semantics.value if chosen_semantics else None,
                                                         allow_shell=allow_shell, output_check=output_check)))
    display.problems(result)
    if out is not None:
        api.save(result, out)
    view = View.of(result)
    if as_json:
        documents = result.documents
        typer.echo(report.as_json(view.blocks, view.block_judgements, {**documents.meta(), "problems": result.problems})
                   if documents and not view.records else terminal.as_json(view))
    else:
        typer.echo(report.for_terminal(view), nl=False)
        if out is not None:
            typer.echo(f"results: {out} (verbatim.json, report.md)")
    display.interrupted(result, out)
    bad_input = bool(result.documents and result.documents.found.errors)
    raise typer.Exit(pipeline.exit_code(result, pipeline.Policy(bad_input=bad_input)))

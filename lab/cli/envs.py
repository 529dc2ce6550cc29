"""`lab envs list|build`: the declared environments, as each kind makes them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import List, Optional

import typer
from typing_extensions import Annotated

from lab.environments import resolve, resolve_names
from lab.environments.declared import load_matrix
from lab.errors import LabError
from lab.reports.values import table

envs_app = typer.Typer(help="The pinned environments of containers/matrix.toml, and the on-demand ones.",
                       no_args_is_help=True)


@envs_app.command("list")
def envs_list(
    cached: Annotated[bool, typer.Option("--cached", help="List the venvs in the cache instead (on-demand ones too).")]
    = False,
) -> None:
    """Name, kind, TensorFlow, Keras, Python, and whether it is made (image built, venv made).

    A made venv reports its versions itself (probed); otherwise the pins are shown as declared."""
    if cached:
        _list_cached()
        return
    matrix = load_matrix()
    client, why = None, ""
    if any(e.kind == "image" for e in matrix):
        try:
            from lab.environments.images import docker_client

            client = docker_client(timeout=10)
        except LabError as exc:
            why = str(exc)
    rows = []
    for e in matrix:
        made, where = "?", ""
        if e.kind == "image" and client is not None:
            from lab.environments.images import image_status

            status = image_status(e, client)
            made, where = ("yes", (status.image_id or "")[:19]) if status.built else ("no", status.tag)
        elif e.kind == "interpreter":
            from lab.environments.interpreter import made_venv

            venv = made_venv(e)
            made, where = ("yes", str(venv)) if venv else ("no", "")
        versions = [e.tensorflow, e.keras, e.python]
        if e.kind == "interpreter" and made == "yes":
            from lab.environments.interpreter import probe_venv

            found = probe_venv(Path(where), e.environment)
            if found:
                keras = f"{found.get('keras')} ({found.get('keras_package')})"
                versions = [f"{found['tensorflow']} (probed)", keras, found["python"]]
        rows.append([e.name, e.kind, *versions, made, where])
    typer.echo("\n".join(table(["env", "kind", "tensorflow", "keras", "python", "made", "where"], rows)))
    if why:
        typer.echo(f"(image status unknown: {why})", err=True)


@envs_app.command("build")
def envs_build(
    names: Annotated[Optional[List[str]], typer.Argument(metavar="[NAME]...", help="Envs; default all.")] = None,
) -> None:
    """Make the envs ready: build images, make venvs (skipped when the recipe is unchanged)."""
    chosen = [n for n in resolve_names(names or ["all"]) if n != "local"]
    failed = []
    for env in resolve(chosen):
        def note(line: str, name: str = env.name) -> None:
            typer.echo(f"[{name}] {line}", err=True)

        try:
            env.prepare(note)
            typer.echo(f"{env.name}: ready ({env.identity() or ''})")
        except LabError as exc:
            typer.echo(f"{env.name}: FAILED: {exc}", err=True)
            failed.append(env.name)
    if failed:
        typer.echo(f"lab: error: could not make {', '.join(failed)} ready", err=True)
        raise typer.Exit(3)


def _list_cached() -> None:
    from lab.environments.venvcache import cached_venvs, venvs_dir

    now = time.time()
    venvs = cached_venvs()
    rows = [[v.name, v.spec or "(matrix env)", v.python, "yes" if v.ready else "no (cut short)",
             f"{(now - v.last_used) / 86400:.1f}", f"{v.size / 2**30:.2f}"] for v in venvs]
    typer.echo("\n".join(table(["venv", "spec", "python", "ready", "days since use", "GiB"], rows)))
    typer.echo(f"{len(venvs)} venvs, {sum(v.size for v in venvs) / 2**30:.2f} GiB in {venvs_dir()}")


@envs_app.command("prune")
def envs_prune(
    older_than: Annotated[Optional[float], typer.Option(
        min=0, help="Only venvs not used for more than DAYS; default: every venv.", metavar="DAYS")] = None,
) -> None:
    """Remove cached venvs (they are made again, from their locks, when next used)."""
    from lab.environments.venvcache import prune

    removed = prune(older_than)
    for venv in removed:
        typer.echo(f"removed {venv.path} ({venv.spec or 'matrix env'}, {venv.size / 2**30:.2f} GiB)")
    typer.echo(f"pruned {len(removed)} venvs, {sum(v.size for v in removed) / 2**30:.2f} GiB")

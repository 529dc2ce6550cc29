"""`lab envs list|build`: the declared environments, as each kind makes them."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Optional

import typer
from typing_extensions import Annotated

from lab.environments import Environment, resolve, resolve_names
from lab.environments.declared import load_matrix
from lab.errors import LabError
from lab.reports.values import table

envs_app = typer.Typer(help="The pinned environments of containers/matrix.toml.", no_args_is_help=True)


@envs_app.command("list")
def envs_list() -> None:
    """Name, kind, TensorFlow, Keras, Python, and whether it is made (image built, venv made).

    A made venv reports its versions itself (probed); otherwise the pins are shown as declared."""
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

    def make(env: Environment) -> None:
        try:
            env.prepare(lambda line: typer.echo(f"[{env.name}] {line}", err=True))
        except LabError as exc:
            typer.echo(f"{env.name}: FAILED: {exc}", err=True)
            failed.append(env.name)
            return
        about = env.describe()
        built = f"; built in {about['build_s']:.0f} s" if about.get("build_s") else ""
        size = f"; {about['image_size_bytes'] / 1e9:.2f} GB" if about.get("image_size_bytes") else ""
        typer.echo(f"{env.name}: ready ({env.identity() or ''}{built}{size})")

    # In parallel: independent images build at once, as many as the cores (image.py bounds it).
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="lab-build") as pool:
        list(pool.map(make, resolve(chosen)))
    if failed:
        typer.echo(f"lab: error: could not make {', '.join(failed)} ready", err=True)
        raise typer.Exit(3)

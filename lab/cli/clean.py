"""`lab clean`: remove what killed lab processes left behind, and results folders when asked."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer
from typing_extensions import Annotated

from lab.errors import DockerUnavailable
from lab.scratch import remove_stale_scratch

RESULTS_DIR = Path("results")


def clean(
    results: Annotated[bool, typer.Option("--results", help=f"Also remove the results folders under {RESULTS_DIR}/.")]
    = False,
    stale_images: Annotated[bool, typer.Option(
        "--stale-images", help="Also untag the images of older recipes of the matrix's envs (a changed lock or "
                               "Dockerfile gives a new tag; the old image stays until this).")] = False,
) -> None:
    """End the guests and remove the containers and temporary folders of lab processes that are gone (kill -9)."""
    removed = 0
    from lab.orphans import end_guests
    from lab.scratch import stale_scratch_dirs

    for _, pid, processes in end_guests(stale_scratch_dirs()):  # issue 26: before their folders go
        typer.echo(f"ended the guest {pid} of a lab that is gone ({processes} process(es))")
        removed += 1
    for path in remove_stale_scratch():
        typer.echo(f"removed temporary folder {path}")
        removed += 1
    try:
        from lab.environments.image.build import docker_client
        from lab.environments.image.runner import remove_leftovers

        client = docker_client()
        for name in remove_leftovers(client):
            typer.echo(f"removed container {name}")
            removed += 1
        if stale_images:
            from lab.environments.declared import load_matrix
            from lab.environments.image.build import remove_stale_images

            for tag in remove_stale_images(load_matrix(), client, lambda line: typer.echo(line, err=True)):
                typer.echo(f"removed stale image tag {tag}")
                removed += 1
    except DockerUnavailable as exc:
        # Nothing to clean where there is no daemon: its containers went with it.
        typer.echo(f"containers{' and images' if stale_images else ''} not checked: {exc}")
    if results and RESULTS_DIR.is_dir():
        for folder in sorted(p for p in RESULTS_DIR.iterdir() if p.is_dir() and (p / "records").is_dir()):
            shutil.rmtree(folder)
            typer.echo(f"removed results folder {folder}")
            removed += 1
    if not removed:
        typer.echo("nothing to remove")

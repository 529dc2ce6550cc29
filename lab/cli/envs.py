"""`lab envs list|build`: the declared environments, as each kind makes them."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List, Optional

import typer
from typing_extensions import Annotated

from lab.cores import available_cores
from lab.environments import LOCAL, Environment, resolve, resolve_names
from lab.errors import ExitCode, LabError
from lab.listing import env_entries, env_rows
from lab.values import table

envs_app = typer.Typer(help="The pinned environments of containers/matrix.toml, and the on-demand ones.",
                       no_args_is_help=True)


@envs_app.command("list")
def envs_list(
    cached: Annotated[bool, typer.Option("--cached", help="List the venvs in the cache instead (on-demand ones too).")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only (lab/schemas/envs.schema.json).")] = False,
) -> None:
    """Name, kind, TensorFlow, Keras, Python, and whether it is made (image built, venv made).

    A made venv reports its versions itself (probed); otherwise the pins are shown as declared."""
    if cached:
        _list_cached()
        return
    if as_json:
        typer.echo(json.dumps(env_entries(), indent=1))
        return
    rows = []
    listed = env_rows()
    for e in listed:
        made = "?" if e.state.made is None else "yes" if e.state.made else "no"
        tensorflow = f"{e.versions['tensorflow']} (probed)" if e.probed else e.versions["tensorflow"]
        rows.append([e.name, e.kind, tensorflow, e.versions["keras"], e.versions["python"], made, e.state.shown])
    typer.echo("\n".join(table(["env", "kind", "tensorflow", "keras", "python", "made", "where"], rows)))
    unknown = next((e.state.unknown for e in listed if e.state.unknown), "")
    if unknown:
        typer.echo(f"(unknown whether made: {unknown})", err=True)


@envs_app.command("build")
def envs_build(
    names: Annotated[Optional[List[str]], typer.Argument(metavar="[NAME]...", help="Envs; default all.")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Remove the made image or venv first and make it "
                                                            "again, even when its recipe is unchanged.")] = False,
) -> None:
    """Make the envs ready: build images, make venvs (skipped when the recipe is unchanged, unless --rebuild)."""
    chosen = [n for n in resolve_names(names or ["all"]) if n != LOCAL]

    def make(env: Environment) -> Optional[str]:
        """None when the env is ready, else its name (after its one-line error)."""
        def note(line: str) -> None:
            typer.echo(f"[{env.name}] {line}", err=True)

        try:
            if rebuild:
                note(env.forget())
            env.prepare(note)
        except LabError as exc:
            typer.echo(f"{env.name}: FAILED: {exc}", err=True)
            return env.name
        state = env.state()
        made = f"; made in {state.made_s:.1f} s" if state.made_s else ""
        size = f"; {state.disk_bytes / 1e9:.2f} GB" if state.disk_bytes else ""
        typer.echo(f"{env.name}: ready ({env.identity() or ''}{made}{size})")
        return None

    # In parallel: independent images build at once, as many as the cores (image.py bounds it).
    envs = resolve(chosen)
    for env in envs:
        env.check()  # no Docker daemon: one line, before any work
    pool = ThreadPoolExecutor(max_workers=available_cores(), thread_name_prefix="lab-build")
    try:
        failed = [name for name in pool.map(make, envs) if name]  # in the order asked for
    except KeyboardInterrupt:
        # Nothing queued starts; the install containers running are removed, which ends their builds.
        pool.shutdown(wait=False, cancel_futures=True)
        for env in envs:
            env.stop()
        typer.echo("lab: interrupted; the images built so far are kept", err=True)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    pool.shutdown()
    if failed:
        typer.echo(f"lab: error: could not make {', '.join(failed)} ready", err=True)
        raise typer.Exit(ExitCode.ENVIRONMENT)


def _list_cached() -> None:
    from lab.environments.interpreter.environment import venvs_dir
    from lab.environments.interpreter.venvcache import cached_venvs

    now = time.time()
    venvs = cached_venvs()
    rows = [[v.name, v.spec or "(matrix env)", v.python, "yes" if v.ready else "no (cut short)",
             f"{(now - v.last_used) / 86400:.1f}", f"{v.size / 2**30:.2f}", f"{v.own / 2**30:.2f}"] for v in venvs]
    typer.echo("\n".join(table(["venv", "spec", "python", "ready", "days since use", "GiB", "GiB own"], rows)))
    typer.echo(f"{len(venvs)} venvs, {sum(v.own for v in venvs) / 2**30:.2f} GiB of their own (the rest are "
               f"hardlinks to uv's cache) in {venvs_dir()}")


@envs_app.command("prune")
def envs_prune(
    older_than: Annotated[Optional[float], typer.Option(
        min=0, help="Only venvs not used for more than DAYS; default: every venv.", metavar="DAYS")] = None,
) -> None:
    """Remove cached venvs (they are made again, from their locks, when next used)."""
    from lab.environments.interpreter.venvcache import prune

    removed = prune(older_than)
    for venv in removed:
        typer.echo(f"removed {venv.path} ({venv.spec or 'matrix env'}, {venv.own / 2**30:.2f} GiB of its own)")
    typer.echo(f"pruned {len(removed)} venvs, {sum(v.own for v in removed) / 2**30:.2f} GiB freed")

"""Build the image of the Kubernetes example: lab, and venvs of matrix envs made from their locks' wheels."""

# usage: python containers/shard_image.py [ENV ...] [--lock] [--quiet]     (make shard-image)
#
# The image (lab-shard:<fingerprint12>, also tagged lab-shard:latest) is the shared offline
# runtime of the env images plus one committed layer, made by containers/shard/install.sh in a
# container with no network: this checkout at /lab, lab's dependencies at /opt/lab from
# containers/shard/lab-lock.txt, and a venv per ENV under /opt/lab-cache, installed from the
# same hashed lock and wheels as the env's image. In the image's copy of the matrix the ENVs
# are declared `kind = "interpreter"` (a pod has no Docker): `--env tf2.21` there runs the venv,
# with no index and no registry. --lock re-resolves lab-lock.txt with uv first (after a change
# to lab's dependencies in pyproject.toml).

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable from a checkout

from lab.environments.declared import Env, get_env  # noqa: E402
from lab.environments.image import wheels  # noqa: E402 (after the sys.path line)
from lab.environments.image.build import _install_and_commit as install_and_commit  # noqa: E402
from lab.environments.image.build import docker_client, runtime_image  # noqa: E402
from lab.environments.uvtool import find_uv  # noqa: E402
from lab.errors import LabError, UsageError  # noqa: E402
from lab.scratch import scratch_dir  # noqa: E402

RECIPE = ROOT / "containers" / "shard"
LAB_LOCK = RECIPE / "lab-lock.txt"
PYTHON = "3.11"  # the Python lab-lock.txt is resolved for: the image's, and every ENV's
REPOSITORY = "lab-shard"
DEFAULT_ENVS = ("tf2.12", "tf2.15", "tf2.21")  # SHARD_ENVS of examples/engines/indexed-job.yaml
# What a pod needs of the checkout: the lab, the scenarios, the matrix and locks, the examples.
CHECKOUT = ("lab", "scenarios", "containers", "examples", "baselines", "pyproject.toml")
CACHE_DIR = "/opt/lab-cache"
PATH = "/opt/lab/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
Note = Callable[[str], None]


def declared_as_venvs(matrix: str, names: Sequence[str]) -> str:
    """The matrix's text with each of `names` declared `kind = "interpreter"`, the rest as written."""
    lines = matrix.splitlines(keepends=True)
    out: List[str] = []
    inside = False
    for line in lines:
        header = re.match(r'^\[env\."([^"]+)"\]\s*$', line)
        if line.startswith("["):
            inside = bool(header and header.group(1) in names)
        if inside and re.match(r"^kind\s*=", line):
            continue
        out.append(line)
        if header and inside:
            out.append('kind = "interpreter"  # in the shard image: a venv, made from the same lock\n')
    return "".join(out)


def chosen_envs(names: Sequence[str]) -> List[Env]:
    """The matrix envs called `names`; a UsageError when one cannot go into the image."""
    envs = [get_env(name) for name in names]
    for env in envs:
        if env.python != PYTHON or env.copy_host_python:
            fits = ", ".join(DEFAULT_ENVS)
            raise UsageError(f"{env.name} is Python {env.python}; the shard image carries envs of Python {PYTHON} "
                             f"(e.g. {fits})")
    return envs


def lock_lab(note: Note) -> None:
    """Re-resolve LAB_LOCK from pyproject.toml's dependencies, for PYTHON and the envs' platform."""
    uv = find_uv()
    if uv is None:
        raise UsageError("--lock needs uv: `pip install uv` next to lab")
    platform = get_env(DEFAULT_ENVS[-1]).platform
    cutoff = get_env(DEFAULT_ENVS[-1]).lock_exclude_newer
    cmd = [uv, "pip", "compile", "pyproject.toml", "--quiet", "--generate-hashes", "--no-header",
           "--python-version", PYTHON, "--python-platform", platform, "--output-file", str(LAB_LOCK)]
    done = subprocess.run(cmd + (["--exclude-newer", cutoff] if cutoff else []), cwd=ROOT, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise UsageError(f"uv pip compile failed: {(done.stderr.strip().splitlines() or ['no output'])[-1]}")
    note(f"wrote {LAB_LOCK.relative_to(ROOT)}")


def stage(context: Path, envs: Sequence[Env], note: Note) -> None:
    """The build folder: the checkout (matrix rewritten), the recipe, and every locked file linked in."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
    for name in CHECKOUT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, context / "checkout" / name, ignore=skip)
        else:
            shutil.copyfile(source, context / "checkout" / name)
    matrix = context / "checkout" / "containers" / "matrix.toml"
    matrix.write_text(declared_as_venvs(matrix.read_text(encoding="utf-8"), [e.name for e in envs]), encoding="utf-8")
    shutil.copyfile(RECIPE / "install.sh", context / "install.sh")
    (context / "envs.txt").write_text("".join(f"{env.name}\n" for env in envs))
    shutil.copyfile(LAB_LOCK, context / "lab-lock.txt")
    (context / "wheels").mkdir()
    # lab's dependencies come from the same wheel folder as the envs' files: one Python, one platform.
    lab = dataclasses.replace(envs[0], name="lab", lock=LAB_LOCK)
    for env in (*envs, lab):
        for path in wheels.download(env, note):
            target = context / "wheels" / path.name
            if target.exists():
                continue
            try:  # a hard link spares copying ~1 GB of wheels per build; across filesystems, a copy
                os.link(path, target)
            except OSError:
                shutil.copyfile(path, target)


def fingerprint(context: Path, runtime: str) -> str:
    """A sha256 of the runtime's tag and every staged file but the wheels (the locks name those)."""
    digest = hashlib.sha256(runtime.encode())
    for path in sorted(p for p in context.rglob("*") if p.is_file() and p.relative_to(context).parts[0] != "wheels"):
        digest.update(f"\0{path.relative_to(context)}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(names: Sequence[str], note: Note, latest: bool = True) -> str:
    """Build the shard image of the envs `names` unless its tag exists, untag older builds of the
    same envs, tag it :latest (unless `latest` is False); return its tag."""
    envs = chosen_envs(names)
    client = docker_client()
    runtime, _ = runtime_image(envs[0], client, note, None)
    carried = " ".join(e.name for e in envs)
    with scratch_dir("build-shard") as tmp:
        context = Path(tmp)
        stage(context, envs, note)
        tag = f"{REPOSITORY}:{fingerprint(context, runtime)[:12]}"
        if _has_image(client, tag):
            note(f"{tag} is built already; nothing to do")
        else:
            note(f"building {tag} ({carried}) from {runtime}")
            # The env images' own install-and-commit step, with the shard recipe in the build
            # folder: an Env that stands for the image gives the container's name and the
            # image's variables (commit_changes); install.sh reads the envs from envs.txt.
            image = dataclasses.replace(envs[0], name="shard", environment={"LAB_CACHE_DIR": CACHE_DIR, "PATH": PATH})
            labels = {"lab.shard-envs": carried, "lab.runtime": runtime}
            install_and_commit(client, runtime, context, "python3", tag, image, labels, note)
    if latest:
        client.images.get(tag).tag(REPOSITORY, "latest")
        note(f"tagged {tag} as {REPOSITORY}:latest")
    _untag_older(client, tag, carried, note)
    return tag


def _untag_older(client: Any, tag: str, carried: str, note: Note) -> None:
    """Untag the earlier builds of the same envs (each lab change makes a new image of GBs);
    :latest, and images a container still uses, are kept."""
    for image in client.images.list(name=REPOSITORY, filters={"label": f"lab.shard-envs={carried}"}):
        for old in image.tags:
            if old in (tag, f"{REPOSITORY}:latest") or f"{REPOSITORY}:latest" in image.tags:
                continue
            try:
                client.images.remove(old)
                note(f"untagged the older build {old}")
            except Exception as exc:  # docker's APIError (in use); docker is imported by images.py only
                note(f"kept the older build {old}: {str(exc).splitlines()[0][:120]}")


def _has_image(client: Any, tag: str) -> bool:
    return any(tag in image.tags for image in client.images.list(name=REPOSITORY))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("envs", nargs="*", default=list(DEFAULT_ENVS), help=f"matrix envs of Python {PYTHON}")
    parser.add_argument("--lock", action="store_true", help="re-resolve containers/shard/lab-lock.txt with uv first")
    parser.add_argument("--quiet", action="store_true", help="print only the steps, not the installers' lines")
    args = parser.parse_args(argv)

    def note(line: str) -> None:
        if not args.quiet or not line.startswith((" ", "Collecting", "Downloading", "Saved", "File was", "Processing",
                                                  "Installing", "Successfully")):
            print(f"  {line}", flush=True)

    try:
        if args.lock:
            lock_lab(note)
        tag = build(args.envs, note)
    except LabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(tag)
    return 0


if __name__ == "__main__":
    sys.exit(main())

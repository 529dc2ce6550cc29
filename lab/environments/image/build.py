"""Build and look up the matrix's pinned images (with image.py, the only importers of docker)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ContextManager, Dict, List, Optional, Tuple

from lab.cache import cache_root
from lab.environments.declared import CONTAINERS_DIR, IMAGE_REPOSITORY, Env, env_fingerprint, image_tag
from lab.environments.image import wheels
from lab.environments.uvtool import find_uv
from lab.errors import DockerUnavailable, EnvironmentUnavailable, UsageError
from lab.locking import file_lock
from lab.scratch import scratch_dir

ProgressFn = Callable[[str], None]
START_DOCKER = "start it with `sudo dockerd &` or `sudo containers/start-docker.sh`"
PING_TIMEOUT_VARIABLE = "LAB_DOCKER_TIMEOUT"
DEFAULT_PING_TIMEOUT_S = 30.0
NOTE_AFTER_S = 3.0
INSTALL_TIMEOUT_S = 3600


class ImageBuildFailed(EnvironmentUnavailable):
    """An env's image could not be built; the message names the env and the failing step."""


@dataclass(frozen=True)
class ImageStatus:
    """Whether an env's image exists for its current recipe."""

    env: str
    """The env's name."""
    tag: str
    """lab-env:<name>-<fingerprint12>: the tag this recipe's image has, built or not."""
    built: bool
    """True when an image with that tag exists in the daemon."""
    image_id: Optional[str] = None
    """The image id (sha256:...) when built: the digest records carry."""
    size_bytes: Optional[int] = None
    """The image's size, when built."""
    build_s: Optional[float] = None
    """How long its build took, when this host built it (builds.json in the cache)."""


def docker_client(timeout: int = 600) -> Any:
    """A docker client whose daemon answered a ping; DockerUnavailable (one line) otherwise.

    A daemon that takes the connection and never answers would hang the lab silently: the
    first requests get $LAB_DOCKER_TIMEOUT seconds (default 30), a note on stderr says what the
    lab waits for after a few of them, and then it gives up. Later calls get `timeout`.
    """
    try:
        import docker
    except ImportError:
        raise DockerUnavailable("the docker Python package is not installed: `pip install docker`") from None
    patience = ping_timeout()
    where = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    # os.write, not print: the note comes from a timer thread while the main thread may be writing.
    waiting = threading.Timer(min(NOTE_AFTER_S, patience / 2), lambda: os.write(2, (
        f"lab: waiting for the Docker daemon at {where} to answer (giving up after {patience:g}s; "
        f"{PING_TIMEOUT_VARIABLE} sets how long)\n").encode()))
    waiting.daemon = True
    waiting.start()
    started = time.monotonic()
    try:
        client = docker.from_env(timeout=patience)  # it asks the daemon for its API version
        client.ping()
    except Exception as exc:  # DockerException or a requests error, depending on how it fails
        if time.monotonic() - started >= patience * 0.9:
            raise DockerUnavailable(
                f"the Docker daemon at {where} took the connection but did not answer within {patience:g}s "
                f"(set {PING_TIMEOUT_VARIABLE} to wait longer); restart it: {START_DOCKER}") from None
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise DockerUnavailable(f"no Docker daemon answers ({reason}); {START_DOCKER}") from None
    finally:
        waiting.cancel()
    client.api.timeout = timeout
    return client


def ping_timeout() -> float:
    """Seconds to wait for the Docker daemon's first answers: $LAB_DOCKER_TIMEOUT, default 30."""
    value = os.environ.get(PING_TIMEOUT_VARIABLE, "")
    if not value:
        return DEFAULT_PING_TIMEOUT_S
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        raise UsageError(f"{PING_TIMEOUT_VARIABLE}={value!r}: use a number of seconds from 0 to 3600")
    return seconds


def image_status(env: Env, client: Any) -> ImageStatus:
    """The env's tag and, when that image exists, its id."""
    import docker.errors

    tag = image_tag(env)
    try:
        image = client.images.get(tag)
    except docker.errors.ImageNotFound:
        return ImageStatus(env.name, tag, built=False)
    size = (getattr(image, "attrs", None) or {}).get("Size")
    return ImageStatus(env.name, tag, built=True, image_id=image.id, size_bytes=size,
                       build_s=build_seconds().get(tag))


def _builds_path() -> Path:
    return cache_root() / "builds.json"


def build_seconds() -> Dict[str, float]:
    """How long each image this host built took, by tag."""
    try:
        found = json.loads(_builds_path().read_text())
    except (OSError, ValueError):
        return {}
    return {k: float(v) for k, v in found.items() if isinstance(v, (int, float))} if isinstance(found, dict) else {}


_builds_lock = threading.Lock()


def _remember_build(tag: str, seconds: float) -> None:
    with _builds_lock:
        known = {**build_seconds(), tag: round(seconds, 1)}
        path = _builds_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n")
        tmp.replace(path)


def build_image(
    env: Env, client: Any, on_progress: Optional[ProgressFn] = None, offline: Optional[bool] = None,
) -> ImageStatus:
    """Build the env's image unless its tag exists already; return its status.

    offline=None tries the normal recipe (python:<v>-slim from a registry) and falls back to
    the offline one (debootstrap base + host-downloaded wheels) when the base cannot be pulled;
    True or False forces one.
    """
    note = on_progress or (lambda line: None)
    status = image_status(env, client)
    if not status.built:
        with _build_lock(status.tag, note):
            status = image_status(env, client)  # another process may have built it meanwhile
            if not status.built:
                _build(env, client, status.tag, note, offline)
                return image_status(env, client)
    note(f"{status.tag} is built already ({(status.image_id or '')[:19]}); nothing to do")
    return status


def _build(env: Env, client: Any, tag: str, note: ProgressFn, offline: Optional[bool]) -> None:
    started = time.monotonic()
    base = f"python:{env.python}-slim"
    if offline is None:
        offline = not _have_or_pull(client, base)
        if offline:
            note(f"cannot pull {base} (no registry?); building {env.name} offline from a debootstrap base")
    labels = {
        "lab.env": env.name, "lab.fingerprint": env_fingerprint(env), "lab.python": env.python,
        "lab.tensorflow": env.tensorflow, "lab.keras": env.keras, "lab.numpy": env.numpy,
    }
    if offline:
        _build_offline(env, client, tag, labels, note)
    else:
        with scratch_dir(f"build-{env.name}") as tmp:
            context = Path(tmp)
            shutil.copyfile(env.lock, context / "lock.txt")
            (context / "Dockerfile").write_text(render((env.recipe / "Dockerfile").read_text(encoding="utf-8"), env),
                                                encoding="utf-8")
            _stream_build(client, context, tag, {"PYTHON": env.python}, {**labels, "lab.recipe": "Dockerfile"}, note,
                          network_mode=None)
    seconds = time.monotonic() - started
    _remember_build(tag, seconds)
    note(f"built {tag} in {seconds:.0f}s")


def _build_offline(env: Env, client: Any, tag: str, labels: Dict[str, str], note: ProgressFn) -> None:
    """The env's runtime (shared, built once) plus one committed layer: the venv, installed in a
    container with the wheels mounted read-only and no network (proof that every file came from
    the lock), instead of a wheels layer, an install stage and a copy of the venv between stages."""
    # Looked for first: without a host Python there is no point fetching base or wheels.
    home = host_python_home(env.python) if env.copy_host_python else None
    if home is not None:
        note(f"no Debian suite has Python {env.python}: copying the host's {home} into the image")
    runtime, recipe = runtime_image(env, client, note, home)
    with scratch_dir(f"build-{env.name}") as tmp:
        context = Path(tmp)
        shutil.copyfile(env.lock, context / "lock.txt")
        shutil.copyfile(env.recipe / "install.sh", context / "install.sh")
        (context / "wheels").mkdir()
        for path in wheels.download(env, note):
            _link_or_copy(path, context / "wheels" / path.name)
        labels = {**labels, "lab.recipe": recipe, "lab.runtime": runtime}
        _offer_uv(env, context, note)
        if home is not None:
            labels["lab.host-python"] = str(home)
        python = f"{home}/bin/python3" if home is not None else "python3"
        _install_and_commit(client, runtime, context, python, tag, env, labels, note)


def _offer_uv(env: Env, context: Path, note: ProgressFn) -> None:
    """Puts the host's uv in the build folder for install.sh, which uses it where it runs (pip
    where it does not). Not for Python 3.7 (TF 1.15): uv does not support it; pip does."""
    if tuple(int(p) for p in env.python.split(".")[:2]) < (3, 8):
        return
    uv = find_uv()
    if uv is None:
        note("no uv on this host: installing with pip (slower; `pip install uv` next to lab)")
        return
    _link_or_copy(Path(uv), context / "uv")


def runtime_image(env: Env, client: Any, note: ProgressFn, home: Optional[Path]) -> Tuple[str, str]:
    """The shared runtime of `env` (lab-runtime:<suite>-<hash12>, built when missing), and its recipe's name."""
    import docker.errors

    base = base_image(env.debian, client, note, env.recipe / "base.sh")
    recipe = "Dockerfile.offline-hostpython" if home is not None else "Dockerfile.offline"
    text = (env.recipe / recipe).read_text(encoding="utf-8")
    digest = hashlib.sha256(f"{base}\0{text}\0{home or ''}".encode()).hexdigest()[:12]
    tag = f"lab-runtime:{env.debian}-{f'py{env.python}-' if home is not None else ''}{digest}"
    with _build_lock(tag, note):
        try:
            client.images.get(tag)
            return tag, recipe
        except docker.errors.ImageNotFound:
            pass
        note(f"building the shared runtime {tag}")
        with scratch_dir(f"runtime-{env.debian}") as tmp:
            context = Path(tmp)
            (context / "Dockerfile").write_text(text, encoding="utf-8")
            buildargs = {"BASE": base}
            if home is not None:
                _copy_python(home, context / "python")
                buildargs["PYTHON_HOME"] = str(home)
            _stream_build(client, context, tag, buildargs, {"lab.runtime": recipe}, note, network_mode="none")
    return tag, recipe


def commit_changes(env: Env, labels: Dict[str, str]) -> List[str]:
    """The Dockerfile lines the committed image gets: the env's variables (as render() writes
    them), the unprivileged user, and the labels."""
    pairs = " ".join(f'{key}="{value}"' for key, value in sorted(env.environment.items()))
    changes = ([f"ENV {pairs}"] if pairs else []) + ["USER lab", "WORKDIR /tmp", 'CMD ["python"]']
    return changes + [f"LABEL {key}={json.dumps(value)}" for key, value in sorted(labels.items())]


def _install_and_commit(client: Any, runtime: str, context: Path, python: str, tag: str, env: Env,
                        labels: Dict[str, str], note: ProgressFn) -> None:
    from docker.types import Mount

    from lab.environments.image.labels import BUILD_LABEL, BUILD_NAME_PREFIX, BUILD_OWNER_LABEL

    started = time.monotonic()
    container = client.containers.create(
        runtime, ["sh", "/build/install.sh", python], user="0:0", network_disabled=True, working_dir="/",
        # A mount, not `volumes=`: docker-py declares a volume's path in the container's config,
        # and the commit would copy that VOLUME into the image (an anonymous volume per run).
        mounts=[Mount("/build", str(context), type="bind", read_only=True)],
        # Named and labelled as a build, so that a killed lab's leftover is removed later.
        name=f"{BUILD_NAME_PREFIX}{env.name}-{os.getpid()}-{secrets.token_hex(3)}",
        labels={BUILD_LABEL: env.name, BUILD_OWNER_LABEL: str(os.getpid())})
    lines: List[str] = []

    def follow() -> None:
        try:
            for chunk in container.logs(stream=True, follow=True):
                for line in chunk.decode(errors="replace").splitlines():
                    if line.strip():
                        lines.append(line.strip())
                        note(line.rstrip())
        except Exception:  # the container or the daemon went away: wait() below says which
            pass

    try:
        container.start()
        # The log is followed beside the wait, not before it: a stream that blocks until the
        # container exits would leave the install with no time limit.
        reader = threading.Thread(target=follow, name=f"lab-build-log-{env.name}", daemon=True)
        reader.start()
        try:
            code = container.wait(timeout=INSTALL_TIMEOUT_S).get("StatusCode")
        except Exception as exc:  # a wait that times out raises requests' error, not docker's
            raise ImageBuildFailed(f"building {tag} failed: the install did not end within {INSTALL_TIMEOUT_S} s, "
                                   f"or the daemon stopped answering ({type(exc).__name__})") from exc
        reader.join(timeout=30)
        if code != 0:
            raise ImageBuildFailed(f"building {tag} failed: install.sh exited with code {code}: "
                                   f"{' | '.join(lines[-3:])}")
        # install.sh says which installer it used (uv offered can still fail to run there).
        installer = next((line.partition(":")[2].strip() for line in reversed(lines)
                          if line.startswith("lab-installer:")), "unknown")
        note(f"installed the lock into /opt/venv with {installer} in {time.monotonic() - started:.0f}s; committing")
        repository, _, name = tag.partition(":")
        # The build's owner pid would be copied into the image: blank it.
        final = {**labels, "lab.installer": installer, BUILD_OWNER_LABEL: ""}
        container.commit(repository, name, changes=commit_changes(env, final),
                         message=f"lab: {env.name}'s venv from its lock")
    finally:
        try:
            container.remove(force=True, v=True)
        except Exception:  # gone already; the image, if committed, stands
            pass


def _build_lock(tag: str, note: ProgressFn) -> ContextManager[None]:
    """A host-wide lock per tag: two processes building one env would each make an image."""
    path = cache_root() / "build-locks" / (tag.replace(":", "_") + ".lock")
    return file_lock(path, lambda: note(f"waiting for another process building {tag}"))


def remove_stale_images(envs: List[Env], client: Any, on_progress: Optional[ProgressFn] = None) -> List[str]:
    """Untag the images of older recipes of `envs`: lab-env:<name>-<fingerprint> where <name> is
    one of theirs and the fingerprint is not its current one. Tags of env names it was not given
    are left alone: the daemon may be shared with checkouts that declare other envs."""
    import docker.errors

    note = on_progress or (lambda line: None)
    current = {image_tag(env) for env in envs}
    names = [env.name for env in envs]
    removed = []
    for image in client.images.list(name=IMAGE_REPOSITORY):
        for tag in image.tags:
            if tag in current or not tag.startswith(f"{IMAGE_REPOSITORY}:"):
                continue
            # A whole-name match: "tf2.21-legacy-keras-<fp>" is no old "tf2.21".
            if not any(re.fullmatch(re.escape(n) + r"-[0-9a-f]{12}", tag.split(":", 1)[1]) for n in names):
                continue
            try:
                client.images.remove(tag)
            except docker.errors.APIError as exc:  # e.g. a container still uses it
                note(f"kept stale image {tag}: {exc.explanation}")
                continue
            removed.append(tag)
    return removed


def render(template: str, env: Env) -> str:
    """The Dockerfile text with @ENVIRONMENT@ replaced by the env's ENV line."""
    pairs = " ".join(f'{key}="{value}"' for key, value in sorted(env.environment.items()))
    return template.replace("@ENVIRONMENT@", f"ENV {pairs}" if pairs else "")


def base_image(
    suite: str, client: Any, on_progress: Optional[ProgressFn] = None, script: Optional[Path] = None,
) -> str:
    """The tag of a debootstrap base for `suite` (lab-base:<suite>-<hash12>), built when missing."""
    import docker.errors

    note = on_progress or (lambda line: None)
    script = script or CONTAINERS_DIR / "base.sh"
    digest = hashlib.sha256(script.read_bytes() + suite.encode()).hexdigest()[:12]
    tag = f"lab-base:{suite}-{digest}"
    with _build_lock(tag, note):  # builds run in parallel: one debootstrap per suite
        try:
            client.images.get(tag)
            return tag
        except docker.errors.ImageNotFound:
            pass
        return _debootstrap(suite, tag, script, note)


def _debootstrap(suite: str, tag: str, script: Path, note: ProgressFn) -> str:
    if not shutil.which("debootstrap"):
        raise ImageBuildFailed(f"building {tag} needs debootstrap; `sudo containers/start-docker.sh` installs it")
    note(f"building {tag} with debootstrap (about a minute)")
    proc = subprocess.run(["sh", str(script), suite, tag], capture_output=True, text=True)
    if proc.returncode != 0:
        last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ImageBuildFailed(f"containers/base.sh {suite} failed (exit {proc.returncode}): {last[0]}")
    return tag


def host_python_home(version: str) -> Path:
    """The prefix of a self-contained CPython `version` on the host (pyenv's), for an offline
    image to copy in at the same path; ImageBuildFailed saying how to get one when none is found."""
    from lab.environments.pythons import candidate_pythons

    for python in candidate_pythons(version):
        try:
            done = subprocess.run(
                [python, "-c", "import platform, sys; print(platform.python_version(), sys.base_prefix)"],
                capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            continue
        found, _, prefix = done.stdout.strip().partition(" ")
        # A distribution's python (prefix /usr) is spread over the system: it cannot be copied.
        if done.returncode == 0 and found.startswith(version + ".") and prefix not in ("/", "/usr", "/usr/local"):
            return Path(prefix)
    raise ImageBuildFailed(
        f"no Debian suite ships Python {version} and no CPython {version} of its own prefix was found on the "
        f"host to copy in: install one with `pyenv install {version}` (or pull python:{version}-slim from a registry)")


# The host's site-packages (its pip, setuptools, .pth files) is host state the venv never
# sees, and the test suite is 60 MB no trial runs: neither goes into the image.
_PYTHON_SKIP = re.compile(r"^lib/python\d+\.\d+/(site-packages/.+|test)$")


def _copy_python(home: Path, target: Path) -> None:
    """A copy (hard links where possible) of the interpreter prefix `home`, links kept as links."""
    def ignore(folder: str, names: List[str]) -> List[str]:
        rel = os.path.relpath(folder, home)
        return [name for name in names if _PYTHON_SKIP.match(os.path.normpath(os.path.join(rel, name)))]

    shutil.copytree(home, target, symlinks=True, ignore=ignore,
                    copy_function=lambda source, dest: _link_or_copy(Path(source), Path(dest)))


def _have_or_pull(client: Any, image: str) -> bool:
    import docker.errors

    try:
        client.images.get(image)
        return True
    except docker.errors.ImageNotFound:
        pass
    try:
        client.images.pull(image)
        return True
    except docker.errors.DockerException:
        return False


def _stream_build(
    client: Any, context: Path, tag: str, buildargs: Dict[str, str], labels: Dict[str, str],
    note: ProgressFn, network_mode: Optional[str],
) -> None:
    """Run the build through the low-level API so each step's output streams as it comes."""
    stream = client.api.build(
        path=str(context), tag=tag, buildargs=buildargs, labels=labels, network_mode=network_mode,
        rm=True, forcerm=True, pull=False, decode=True,
    )
    tail: List[str] = []
    for chunk in stream:
        if "error" in chunk:
            detail = " | ".join(tail[-3:] + [str(chunk["error"]).strip()])
            raise ImageBuildFailed(f"building {tag} failed: {detail}")
        for line in str(chunk.get("stream", "")).splitlines():
            if line.strip():
                tail = (tail + [line.strip()])[-5:]
                note(line.rstrip())


def _link_or_copy(source: Path, target: Path) -> None:
    # A hard link keeps ~600 MB of wheels from being copied per build; across filesystems, copy.
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)  # copy2: an interpreter's executables keep their mode

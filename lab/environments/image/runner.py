"""A batch in ONE locked-down container of a pinned image, and the removal of lab containers left behind."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from lab.environments.batch import Batch, GuestRun
from lab.environments.declared import Env
from lab.environments.image.labels import BUILD_LABEL, BUILD_NAME_PREFIX, BUILD_OWNER_LABEL, LABEL, OWNER_LABEL
from lab.environments.process import EXIT_NO_TENSORFLOW
from lab.environments.shipment import Shipment
from lab.errors import EnvironmentUnavailable
from lab.record import Status
from lab.scratch import alive, scratch_dir
from lab.text import printable

DEFAULT_MEMORY = "4g"
DEFAULT_PIDS = 1024
# The most a container may write into any one file (like /tmp, bounded).
DEFAULT_FILE_LIMIT = 256 << 20
EXIT_DEADLINE = 124  # the guest's launcher: its own deadline passed
# The container ends itself this long after the host's timeout: the host kills it first, but a
# host killed with -9 cannot, and its container must not run forever.
SELF_TIMEOUT_GRACE_S = 10
LOG_LINES = 40
GUEST_PYTHON = "python"
REQUEST = "/io/request.json"


class DockerRunner:
    """Runs a batch in a container of the env's image: the shipment mounted read-only at /lab,
    no network, a non-root user without capabilities or a way to gain them (the images carry
    setuid binaries), a read-only root filesystem, memory, process and file-size limits, a
    time limit enforced outside (here) and inside (the guest's launcher, PID 1, with its own
    deadline). The only thing mounted from the host is the request, read-only: results come back
    on the container's stdout, which only the guest's launcher and worker hold."""

    def __init__(
        self,
        env: Env,
        image: str,
        client: Any,
        timeout_s: float,
        memory: str = DEFAULT_MEMORY,
        pids: int = DEFAULT_PIDS,
        extra_environment: Optional[Mapping[str, str]] = None,
        file_limit: int = DEFAULT_FILE_LIMIT,
    ) -> None:
        self.env = env.name
        self.spec = env
        self.image = image
        self.client = client
        self.timeout_s = timeout_s
        self.memory = memory
        self.pids = pids
        self.extra_environment = dict(extra_environment or {})
        self.file_limit = file_limit

    def _environment(self) -> Dict[str, str]:
        env = {"PYTHONPATH": "/lab", "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
               "PYTHONHASHSEED": "0"}
        env.update(self.spec.environment)
        env.update(self.extra_environment)
        return env

    def command(self, batch: Batch) -> List[str]:
        """The guest, PID 1 of the container: its deadline holds even when no host is left to kill it."""
        return [GUEST_PYTHON, *batch.arguments(REQUEST, self.timeout_s + SELF_TIMEOUT_GRACE_S)]

    def options(self, io: Path, shipment: Shipment) -> Dict[str, Any]:
        """Everything a batch's container is started with but its command."""
        from docker.types import Ulimit

        volumes = {str(shipment.root): {"bind": "/lab", "mode": "ro"},
                   str(io / "request.json"): {"bind": REQUEST, "mode": "ro"}}
        # A VOLUME the image declares (older builds carry the install's /build) would become an
        # anonymous volume on the host's disk, writable and left behind: an empty read-only tmpfs instead.
        tmpfs = {**dict.fromkeys(declared_volumes(self.client, self.image), "ro,size=4k"),
                 "/tmp": "rw,exec,size=1g"}
        return {
            "detach": True, "user": "1000:1000", "network_mode": "none", "read_only": True,
            "cap_drop": ["ALL"], "security_opt": ["no-new-privileges"],
            "tmpfs": tmpfs, "working_dir": "/tmp", "environment": self._environment(),
            "volumes": volumes, "ulimits": [Ulimit(name="fsize", soft=self.file_limit, hard=self.file_limit)],
            "mem_limit": self.memory, "memswap_limit": self.memory, "pids_limit": self.pids,
            "labels": {LABEL: self.env, OWNER_LABEL: str(os.getpid())},
        }

    def run(self, batch: Batch, shipment: Shipment) -> GuestRun:
        """The batch in one container, its channel read as the container writes it."""
        with scratch_dir(f"docker-{self.env}") as tmp:
            io = Path(tmp)
            batch.write(io / "request.json", shipment.scenario_dirs, self.timeout_s)
            os.chmod(io / "request.json", 0o644)  # the container's non-root user reads it
            started = time.monotonic()
            try:
                container = self.client.containers.run(self.image, self.command(batch), **self.options(io, shipment))
            except Exception as exc:  # an image gone missing, a daemon that refuses the limits
                return batch.result(Status.NOT_RUN, f"the container could not start: {_first_line(exc)}")
            try:
                return self._follow(container, batch, started)
            finally:
                _remove(container)  # also on Ctrl-C: no container is left behind

    def _follow(self, container: Any, batch: Batch, started: float) -> GuestRun:
        # The stream ends when the container does; a timer kills it at the time limit. Any failure
        # to ask the daemon about the container (gone: 404; `docker rm -f` under way: 409; a
        # dropped connection) means the same: it runs no more, and what it said is kept.
        timer = threading.Timer(self.timeout_s, _kill, (container,))
        timer.daemon = True
        timer.start()
        try:
            for chunk in container.logs(stdout=True, stderr=False, stream=True, follow=True):
                batch.feed(chunk)
            code = container.wait(timeout=max(1.0, self.timeout_s - (time.monotonic() - started)))["StatusCode"]
        except Exception as exc:
            if time.monotonic() - started >= self.timeout_s:
                _kill(container)
                return batch.result(Status.TIMEOUT, f"the batch ran past {self.timeout_s:g}s", self._log(container))
            return batch.result(Status.CRASHED, f"the container was lost while it ran ({_first_line(exc)}); "
                                                "removed by another process?")
        finally:
            timer.cancel()
        try:
            container.reload()
            oom = bool(container.attrs.get("State", {}).get("OOMKilled"))
        except Exception as exc:
            return batch.result(Status.CRASHED, f"the container (exit code {code}) was lost before it could be "
                                                f"read ({_first_line(exc)}); removed by another process?")
        if oom:
            return batch.result(Status.CRASHED, f"the container was killed for memory (limit {self.memory})")
        if code in (137, EXIT_DEADLINE) and time.monotonic() - started >= self.timeout_s:
            return batch.result(Status.TIMEOUT, f"the batch ran past {self.timeout_s:g}s", self._log(container))
        if code == 137:  # SIGKILL from outside: `docker kill` or `docker rm -f`
            return batch.result(Status.CRASHED, "the container was killed (exit code 137; by `docker kill` or "
                                                "`docker rm -f`?)", self._log(container))
        if code == EXIT_NO_TENSORFLOW:
            said = printable(self._log(container), 200, one_line=True)
            raise EnvironmentUnavailable(f"the image {self.image} has no TensorFlow ({said}): "
                                         f"rebuild it with `lab envs build --rebuild {self.env}`")
        return batch.result(Status.CRASHED, f"the container exited with code {code}", self._log(container))

    @staticmethod
    def _log(container: Any) -> str:
        # Only the tail of the guest's stderr: a twin may print hundreds of MB.
        try:
            return str(container.logs(stdout=False, stderr=True, tail=LOG_LINES).decode(errors="replace"))
        except Exception:  # gone meanwhile: the message does without the log
            return ""


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def _kill(container: Any) -> None:
    try:
        container.kill()
    except Exception:  # exited or gone meanwhile: the removal that follows makes sure
        pass


def declared_volumes(client: Any, image: str) -> List[str]:
    """The paths `image` declares as VOLUMEs (none for images this lab builds now)."""
    try:
        return sorted((client.images.get(image).attrs.get("Config") or {}).get("Volumes") or {})
    except Exception:  # no such image: starting the container says so
        return []


def _remove(container: Any) -> None:
    try:
        container.remove(force=True, v=True)  # with its anonymous volumes, if it had any
    except Exception:
        # Gone already (404), being removed by someone else (409), or the daemon itself gone:
        # raising here would hide the records already collected, or the error that brought us.
        pass


def remove_leftovers(client: Any, own: bool = False) -> List[str]:
    """Remove lab containers (trial batches, image builds' install containers) whose owning lab
    process is gone (a kill -9, a crashed host), and with `own`, this process's too (Ctrl-C).
    Other live lab processes' are left alone."""
    removed: List[str] = []
    # ignore_removed: another lab may remove one of these between the listing and its inspection.
    batches = client.containers.list(all=True, filters={"label": LABEL}, ignore_removed=True)
    builds = [c for c in client.containers.list(all=True, filters={"label": BUILD_LABEL}, ignore_removed=True)
              if c.name.startswith(BUILD_NAME_PREFIX)]
    for container, owner_label in [(c, OWNER_LABEL) for c in batches] + [(c, BUILD_OWNER_LABEL) for c in builds]:
        owner = container.labels.get(owner_label, "")
        mine = owner == str(os.getpid())
        if (mine and not own) or (not mine and owner.isdigit() and alive(int(owner))):
            continue
        _remove(container)
        removed.append(container.name)
    return removed

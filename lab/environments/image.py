"""The `image` kind: all trials of one environment in ONE locked-down container of a pinned image."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from lab.environments.base import GuestJob, GuestRun, Note
from lab.environments.declared import Env
from lab.environments.shipment import Shipment, collect, write_request
from lab.plan import Trial
from lab.record import Status

LABEL = "lab.batch"  # every container lab starts carries it, so none is ever left unaccounted for
OWNER_LABEL = "lab.owner-pid"
DEFAULT_MEMORY = "4g"
DEFAULT_PIDS = 1024
GUEST = ["python", "-m", "lab.guest", "--request", "/io/request.json", "--out", "/io/records.jsonl",
         "--freeze", "/io/freeze.txt"]


class DockerRunner:
    """Runs a batch in a container of the env's image: the project mounted read-only at /lab,
    no network, a non-root user, a read-only root filesystem, memory and process limits, a
    timeout. Records come back through a mounted folder, apart from TensorFlow's logs."""

    def __init__(
        self,
        env: Env,
        image: str,
        client: Any,
        timeout_s: float,
        memory: str = DEFAULT_MEMORY,
        pids: int = DEFAULT_PIDS,
        extra_environment: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.env = env.name
        self.spec = env
        self.image = image
        self.client = client
        self.timeout_s = timeout_s
        self.memory = memory
        self.pids = pids
        self.extra_environment = dict(extra_environment or {})
        self.freeze: List[str] = []
        """The container's installed distributions, after a run (for the manifest)."""
        self.log_tail = ""

    def _environment(self) -> Dict[str, str]:
        env = {"PYTHONPATH": "/lab", "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"}
        env.update(self.spec.environment)
        env.update(self.extra_environment)
        return env

    def run(self, trials: Sequence[Trial], shipment: Shipment, job: Optional[GuestJob] = None) -> GuestRun:
        """The batch in one container; with a `job`, that job's guest entry instead of the trials."""
        import docker.errors
        import requests.exceptions

        facts = {"image": self.image}

        def collected(status: Status, why: str) -> GuestRun:
            if job is not None:
                job.collect(io, status, why)
                return GuestRun([], self.freeze)
            return GuestRun(collect(self.env, trials, records_path, status, why, facts).records, self.freeze)

        with tempfile.TemporaryDirectory(prefix=f"lab-docker-{self.env}-") as tmp:
            io = Path(tmp)
            os.chmod(io, 0o777)  # the container's non-root user writes the records here
            job.write(io) if job is not None else write_request(io / "request.json", trials, shipment)
            records_path = io / "records.jsonl"
            try:
                container = self.client.containers.run(
                    self.image, GUEST if job is None else job_command(job), detach=True, user="1000:1000",
                    network_mode="none", read_only=True,
                    tmpfs={"/tmp": "rw,exec,size=1g"}, working_dir="/tmp", environment=self._environment(),
                    volumes={str(shipment.root): {"bind": "/lab", "mode": "ro"},
                             str(io): {"bind": "/io", "mode": "rw"}},
                    mem_limit=self.memory, memswap_limit=self.memory, pids_limit=self.pids,
                    labels={LABEL: self.env, OWNER_LABEL: str(os.getpid())},
                )
            except Exception as exc:  # an image gone missing, a daemon that refuses the limits
                detail = f"the container could not start: {str(exc).splitlines()[0][:200]}"
                return collected(Status.NOT_RUN, detail)
            # docker-py's run() without detach drops the output of a failing container, and a
            # wait() timeout is a requests error, not a DockerException: hence detach + wait here.
            try:
                try:
                    code = container.wait(timeout=self.timeout_s)["StatusCode"]
                except requests.exceptions.RequestException:
                    container.kill()
                    return collected(Status.TIMEOUT, f"the batch ran past {self.timeout_s:g}s")
                container.reload()
                oom = bool(container.attrs.get("State", {}).get("OOMKilled"))
                # Only the tail: a twin may print hundreds of MB.
                tail = container.logs(tail=20).decode(errors="replace").strip().splitlines()
                self.log_tail = " | ".join(tail[-3:])
            except docker.errors.NotFound:
                # Removed under us (`docker rm -f`, a daemon restart): what it wrote is kept.
                return collected(Status.CRASHED,
                                 "the container disappeared while it ran (removed by another process?)")
            finally:
                _remove(container)  # also on Ctrl-C: no container is left behind
            if (io / "freeze.txt").exists():
                self.freeze = (io / "freeze.txt").read_text().split()
            if oom:
                detail = f"the container was killed for memory (limit {self.memory})"
            else:
                detail = f"the container exited with code {code}: {self.log_tail}"
            return collected(Status.CRASHED, detail)


def job_command(job: GuestJob) -> List[str]:
    """A job's guest entry, with its request and results in the mounted /io."""
    return ["python", "-m", job.module, "--request", "/io/request.json", "--out", "/io/results.jsonl"]


class ImageEnvironment:
    """A pinned container environment from the matrix: its image is built (or found) by its
    recipe's hash, and every batch runs in one locked-down container of it."""

    kind = "image"
    # Image builds share the wheel cache and the debootstrap base, and two at once would only
    # fight over two cores: one at a time, across the environments of a run.
    _build_lock = threading.Lock()

    def __init__(self, spec: Env, client: Any) -> None:
        self.name = spec.name
        self.spec = spec
        self.client = client
        self.tag = ""
        self.image_id = ""
        self.freeze: List[str] = []

    def check(self) -> None:
        pass  # the Docker daemon answered when the environment was resolved

    def prepare(self, note: Note) -> None:
        from lab.environments.images import ImageBuildFailed, build_image

        with self._build_lock:
            try:
                status = build_image(self.spec, self.client, on_progress=note)
            except ImageBuildFailed as exc:
                raise ImageBuildFailed(f"image build failed: {exc}") from None
        self.tag, self.image_id = status.tag, status.image_id or ""

    def identity(self) -> Optional[str]:
        return self.image_id or None

    def run(self, trials: Sequence[Trial], shipment: Shipment, timeout_s: float) -> GuestRun:
        return DockerRunner(self.spec, self.tag, self.client, timeout_s=timeout_s).run(trials, shipment)

    def run_job(self, job: GuestJob, shipment: Shipment, timeout_s: float) -> None:
        runner = DockerRunner(self.spec, self.tag, self.client, timeout_s=timeout_s,
                              extra_environment={"MPLBACKEND": "Agg"})
        runner.run([], shipment, job)

    def stop(self) -> None:
        remove_leftovers(self.client, own=True)

    def describe(self) -> Dict[str, Any]:
        return {"kind": self.kind, "image": self.tag or None, "image_id": self.image_id or None,
                "python": self.spec.python, "tensorflow": self.spec.tensorflow}


def _remove(container: Any) -> None:
    import docker.errors
    import requests.exceptions

    try:
        container.remove(force=True)
    except docker.errors.NotFound:
        pass  # gone already: what we wanted
    except requests.exceptions.ConnectionError:
        # The daemon itself is gone, and its containers with it; raising here would hide
        # the error that brought us here, or the records already collected.
        pass


def remove_leftovers(client: Any, own: bool = False) -> int:
    """Remove lab containers whose owning lab process is gone (a kill -9, a crashed host),
    and with `own`, this process's too (Ctrl-C). Other live lab processes' are left alone."""
    removed = 0
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        owner = container.labels.get(OWNER_LABEL, "")
        mine = owner == str(os.getpid())
        if (mine and not own) or (not mine and owner.isdigit() and _alive(int(owner))):
            continue
        _remove(container)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

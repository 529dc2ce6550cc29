"""The Docker runner: all trials of one environment in ONE locked-down container."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from lab.envs import Env
from lab.observe import STATUS_CRASHED, STATUS_NOT_RUN, STATUS_TIMEOUT, Record
from lab.runners.base import Trial, collect_records, write_request
from lab.scenario import DEFAULT_SCENARIO_DIR, ROOT

LABEL = "lab.batch"  # every container lab starts carries it, so none is ever left unaccounted for
OWNER_LABEL = "lab.owner-pid"
DEFAULT_TIMEOUT_S = 900.0
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
        timeout_s: float = DEFAULT_TIMEOUT_S,
        memory: str = DEFAULT_MEMORY,
        pids: int = DEFAULT_PIDS,
        scenario_dirs: Sequence[Path] = (DEFAULT_SCENARIO_DIR,),
        extra_environment: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.env = env.name
        self.spec = env
        self.image = image
        self.client = client
        self.timeout_s = timeout_s
        self.memory = memory
        self.pids = pids
        self.scenario_dirs = list(scenario_dirs)
        self.extra_environment = dict(extra_environment or {})
        self.freeze: List[str] = []
        """The container's installed distributions, after a run (for the manifest)."""
        self.log_tail = ""

    def _environment(self) -> Dict[str, str]:
        env = {"PYTHONPATH": "/lab", "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"}
        env.update(self.spec.environment)
        env.update(self.extra_environment)
        return env

    def run(self, trials: Sequence[Trial]) -> List[Record]:
        import docker.errors
        import requests.exceptions

        facts = {"image": self.image}
        with tempfile.TemporaryDirectory(prefix=f"lab-docker-{self.env}-") as tmp:
            io = Path(tmp)
            os.chmod(io, 0o777)  # the container's non-root user writes the records here
            write_request(io / "request.json", self.env, trials, self.scenario_dirs)
            records_path = io / "records.jsonl"
            try:
                container = self.client.containers.run(
                    self.image, GUEST, detach=True, user="1000:1000", network_mode="none", read_only=True,
                    tmpfs={"/tmp": "rw,exec,size=1g"}, working_dir="/tmp", environment=self._environment(),
                    volumes={str(ROOT): {"bind": "/lab", "mode": "ro"}, str(io): {"bind": "/io", "mode": "rw"}},
                    mem_limit=self.memory, memswap_limit=self.memory, pids_limit=self.pids,
                    labels={LABEL: self.env, OWNER_LABEL: str(os.getpid())},
                )
            except Exception as exc:  # an image gone missing, a daemon that refuses the limits
                detail = f"the container could not start: {str(exc).splitlines()[0][:200]}"
                return collect_records(self.env, trials, records_path, STATUS_NOT_RUN, detail, facts)
            # docker-py's run() without detach drops the output of a failing container, and a
            # wait() timeout is a requests error, not a DockerException: hence detach + wait here.
            try:
                try:
                    code = container.wait(timeout=self.timeout_s)["StatusCode"]
                except requests.exceptions.RequestException:
                    container.kill()
                    return collect_records(self.env, trials, records_path, STATUS_TIMEOUT,
                                           f"the batch ran past {self.timeout_s:g}s", facts)
                container.reload()
                oom = bool(container.attrs.get("State", {}).get("OOMKilled"))
                self.log_tail = " | ".join(container.logs().decode(errors="replace").strip().splitlines()[-3:])
            except docker.errors.NotFound:
                # Removed under us (`docker rm -f`, a daemon restart): what it wrote is kept.
                return collect_records(self.env, trials, records_path, STATUS_CRASHED,
                                       "the container disappeared while it ran (removed by another process?)", facts)
            finally:
                _remove(container)  # also on Ctrl-C: no container is left behind
            if (io / "freeze.txt").exists():
                self.freeze = (io / "freeze.txt").read_text().split()
            if oom:
                detail = f"the container was killed for memory (limit {self.memory})"
            else:
                detail = f"the container exited with code {code}: {self.log_tail}"
            return collect_records(self.env, trials, records_path, STATUS_CRASHED, detail, facts)


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

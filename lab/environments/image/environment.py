"""The `image` kind: a pinned container environment from the matrix, built (or found) by its recipe's hash."""

from __future__ import annotations

import threading
from typing import Any, Dict, Mapping, Optional

from lab.cores import available_cores
from lab.environments import kinds, ondemand
from lab.environments.base import Environment, Note, State
from lab.environments.batch import Batch, GuestRun
from lab.environments.declared import Env, PythonBase, python_bases
from lab.environments.image.runner import DockerRunner, remove_leftovers
from lab.environments.shipment import Shipment

CLIENT = "docker"
"""The key of the Docker client the image envs of one resolve share (kinds.Context)."""


def _client() -> Any:
    """A Docker client whose daemon answered, after removing the leftovers of dead lab processes."""
    from lab.environments.image.build import docker_client

    client = docker_client()  # no daemon: one line saying how to start it, before any work
    remove_leftovers(client)
    return client


@kinds.register
class ImageEnvironment:
    """A pinned container environment from the matrix: its image is built (or found) by its
    recipe's hash, and every batch runs in one locked-down container of it."""

    kind = "image"
    declarable = True
    # Independent images build in parallel, as many as there are cores (a build is mostly one
    # installer process and a commit); the shared base and runtime are built once, under a
    # host-wide lock per tag, and envs of one Python download their wheels one at a time.
    _build_lock = threading.BoundedSemaphore(available_cores())

    def __init__(self, spec: Env, client: Any = None, context: Optional[kinds.Context] = None) -> None:
        """With `client`, its images are built and run by that Docker client; else by the one the
        envs of `context` share, made when first needed."""
        self.name = spec.name
        self.spec = spec
        self.context = context or kinds.Context()
        if client is not None:
            self.context = kinds.Context(shared={CLIENT: client})
        self.tag = ""
        self.image_id = ""
        self.size_bytes: Optional[int] = None
        self.build_s: Optional[float] = None
        self.built_now = False

    @classmethod
    def of(cls, spec: Env, context: kinds.Context) -> Environment:
        return cls(spec, context=context)

    @classmethod
    def on_demand_bases(cls) -> Mapping[str, PythonBase]:
        return python_bases()  # an image is built on a Python the matrix has a base for

    @property
    def client(self) -> Any:
        return self.context.shared(CLIENT, _client)

    def check(self) -> None:
        self.client  # noqa: B018  (a Docker daemon answers, or one line says how to start it)

    def prepare(self, note: Note) -> None:
        from lab.environments.image.build import ImageBuildFailed, build_image, image_status

        self.check()
        ondemand.ensure_lock(self.spec, note)
        self.built_now = not image_status(self.spec, self.client).built
        with self._build_lock:
            try:
                status = build_image(self.spec, self.client, on_progress=note)
            except ImageBuildFailed as exc:
                raise ImageBuildFailed(f"image build failed: {exc}") from None
        self.tag, self.image_id = status.tag, status.image_id or ""
        self.size_bytes, self.build_s = status.size_bytes, status.build_s

    def identity(self) -> Optional[str]:
        return self.image_id or None

    def run(self, batch: Batch, shipment: Shipment, timeout_s: float) -> GuestRun:
        batch.host_facts["image"] = self.tag
        return DockerRunner(self.spec, self.tag, self.client, timeout_s=timeout_s).run(batch, shipment)

    def stop(self) -> None:
        client = self.context.peek(CLIENT)
        if client is not None:  # no client made: no container started
            remove_leftovers(client, own=True)

    def describe(self) -> Dict[str, Any]:
        made = {"made_s": self.build_s, "disk_bytes": self.size_bytes} if self.built_now else {}
        return {"kind": self.kind, "image": self.tag or None, "image_id": self.image_id or None,
                "image_size_bytes": self.size_bytes, "build_s": self.build_s,
                "python": self.spec.python, "tensorflow": self.spec.tensorflow, **made,
                **ondemand.described(self.spec)}

    def state(self, probe: bool = False) -> State:
        from lab.environments.image.build import image_status
        from lab.errors import LabError

        try:
            status = image_status(self.spec, self.client)
        except LabError as exc:  # no daemon: unknown, and why
            return State(made=None, unknown=str(exc))
        if not status.built:
            return State(made=False, where=status.tag)
        image_id = status.image_id or ""
        return State(made=True, where=image_id, brief=image_id[:19], made_s=status.build_s,
                     disk_bytes=status.size_bytes)

    def forget(self) -> str:
        from lab.environments.image.build import image_status

        status = image_status(self.spec, self.client)
        if not status.built:
            return "no image yet"
        self.client.images.remove(status.tag, force=True)
        return f"removed image {status.tag}"

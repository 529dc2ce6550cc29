"""The `image` kind: a pinned container environment from the matrix, built (or found) by its recipe's hash."""

from __future__ import annotations

import threading
from typing import Any, Dict, Optional

from lab.cores import available_cores
from lab.environments.base import Note
from lab.environments.batch import Batch, GuestRun
from lab.environments.declared import Env
from lab.environments.image.runner import DockerRunner, remove_leftovers
from lab.environments.shipment import Shipment


class ImageEnvironment:
    """A pinned container environment from the matrix: its image is built (or found) by its
    recipe's hash, and every batch runs in one locked-down container of it."""

    kind = "image"
    # Independent images build in parallel, as many as there are cores (a build is mostly one
    # installer process and a commit); the shared base and runtime are built once, under a
    # host-wide lock per tag, and envs of one Python download their wheels one at a time.
    _build_lock = threading.BoundedSemaphore(available_cores())

    def __init__(self, spec: Env, client: Any) -> None:
        self.name = spec.name
        self.spec = spec
        self.client = client
        self.tag = ""
        self.image_id = ""
        self.size_bytes: Optional[int] = None
        self.build_s: Optional[float] = None

    def check(self) -> None:
        pass  # the Docker daemon answered when the environment was resolved

    def prepare(self, note: Note) -> None:
        from lab.environments.image.build import ImageBuildFailed, build_image

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
        remove_leftovers(self.client, own=True)

    def describe(self) -> Dict[str, Any]:
        return {"kind": self.kind, "image": self.tag or None, "image_id": self.image_id or None,
                "image_size_bytes": self.size_bytes, "build_s": self.build_s,
                "python": self.spec.python, "tensorflow": self.spec.tensorflow}

"""The small interface every environment kind implements, and what a made environment says of itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional, Protocol

from lab.environments.batch import Batch, GuestRun

Note = Callable[[str], None]
"""Progress lines for the user ('building image', 'running 60 trials')."""


@dataclass(frozen=True)
class State:
    """Whether an environment is made, where, and what it reports of itself (`lab envs list`)."""

    made: Optional[bool]
    """None: it cannot be known now (`unknown` says why: no Docker daemon)."""
    where: str = ""
    """What was made: the image id (or the tag it would have), the venv's folder, the interpreter."""
    brief: str = ""
    """`where` as a table shows it (an image id cut to 19 characters); `where` when empty."""
    versions: Mapping[str, str] = field(default_factory=dict)
    """tensorflow, keras, python as the made environment reported them (probed); {} when not probed."""
    made_s: Optional[float] = None
    """Seconds it took to make, when known (an image this host built, a venv made by this process)."""
    disk_bytes: Optional[int] = None
    """Bytes on disk of its own: an image's size, a venv's files not shared with the installer's cache."""
    unknown: str = ""
    """Why `made` is None; '' otherwise."""

    @property
    def shown(self) -> str:
        return self.brief or self.where


class Environment(Protocol):
    """Where jobs execute. Kinds: local (this interpreter), interpreter (a venv made from a
    Python and a hashed lock), image (a pinned container); each registers itself by name
    (lab/environments/kinds.py). Nothing outside a kind asks which kind it is: what a caller needs
    to know of one is a method here."""

    name: str
    """The name on the command line and in records ('local', 'tf2.15', 'tf1.15')."""
    kind: str
    """The name the kind is registered by ('local', 'interpreter', 'image'): for display only."""

    def check(self) -> None:
        """Cheap checks before any work (the interpreter exists, is a file, has the right
        version; a Docker daemon answers); EnvironmentUnavailable, one line, when they fail."""
        ...

    def prepare(self, note: Note) -> None:
        """Make the environment ready (build the image, create the venv, check the interpreter);
        EnvironmentUnavailable, one line, when it cannot be."""
        ...

    def identity(self) -> Optional[str]:
        """What, besides the shipped code, a record depends on (an image id, a lock's hash), for
        the record cache; None when it cannot be known, so nothing is cached."""
        ...

    def run(self, batch: Batch, shipment: Any, timeout_s: float) -> GuestRun:
        """Run the batch's jobs in one guest process with the shipment on its path: write its
        request, feed the guest's channel to it, and return `batch.result(...)` with how the guest
        ended; EnvironmentUnavailable when the environment has no TensorFlow."""
        ...

    def stop(self) -> None:
        """On Ctrl-C: end what this environment runs now (its guest gets the signal otherwise)."""
        ...

    def describe(self) -> Dict[str, Any]:
        """The environment as the manifest shows it (kind, versions, image, spec); `made_s` and
        `disk_bytes` when this process made it."""
        ...

    def state(self, probe: bool = False) -> State:
        """Whether it is made and where, without making it; with `probe`, the versions a made
        environment reports itself (starts its Python: seconds)."""
        ...

    def forget(self) -> str:
        """Remove what it was made of (its image, its venvs), so that `prepare` makes it anew;
        one line that says what was removed."""
        ...

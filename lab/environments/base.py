"""The small interface every environment kind implements."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Protocol

from lab.environments.batch import Batch, GuestRun

Note = Callable[[str], None]
"""Progress lines for the user ('building image', 'running 60 trials')."""


class Environment(Protocol):
    """Where trials execute. Kinds: local (this interpreter), interpreter (a venv made from a
    Python and a hashed lock), image (a pinned container). Nothing outside a kind asks which
    kind it is."""

    name: str
    """The name on the command line and in records ('local', 'tf2.15', 'tf1.15')."""
    kind: str
    """'local', 'interpreter' or 'image'."""

    def check(self) -> None:
        """Cheap checks before any work (the interpreter exists, is a file, has the right
        version); EnvironmentUnavailable, one line, when they fail."""
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
        """The environment as the manifest and `lab envs list` show it (kind, versions, image)."""
        ...

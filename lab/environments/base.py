"""The small interface every environment kind implements, and what a run of one gives back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Protocol, Sequence

from lab.plan import Trial
from lab.record import Record, Status

Note = Callable[[str], None]
"""Progress lines for the user ('building image', 'running 60 trials')."""


@dataclass(frozen=True)
class GuestRun:
    """What one batch in an environment gave back: a record per trial, and what is installed."""

    records: List[Record]
    """One per trial, in trial order; a trial the guest did not finish says why in its status."""
    freeze: List[str] = field(default_factory=list)
    """The environment's installed distributions (name==version), when the guest got that far."""


class GuestJob(Protocol):
    """Work for a guest entry other than the trial guest (the verbatim runner): the environment runs
    `python -m MODULE --request IO/request.json --out IO/results.jsonl` like the trial guest, where IO
    is a folder the host made; the job writes the request and, after, validates what came back."""

    module: str
    """The guest entry, e.g. 'lab.guest.verbatim'."""

    def write(self, io: Path) -> None:
        """Write request.json into `io` (on the host)."""
        ...

    def collect(self, io: Path, missing: Status, why: str) -> None:
        """Read io/results.jsonl; what did not come back gets `missing` and `why`."""
        ...


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

    def run(self, trials: Sequence[Trial], shipment: Any, timeout_s: float) -> GuestRun:
        """Run the trials in one guest process with the shipment on its path."""
        ...

    def run_job(self, job: GuestJob, shipment: Any, timeout_s: float) -> None:
        """Run a job's guest entry in one guest process with the shipment on its path, as `run` does;
        EnvironmentUnavailable when the environment has no TensorFlow."""
        ...

    def stop(self) -> None:
        """On Ctrl-C: end what this environment runs now (its guest gets the signal otherwise)."""
        ...

    def describe(self) -> Dict[str, Any]:
        """The environment as the manifest and `lab envs list` show it (kind, versions, image)."""
        ...

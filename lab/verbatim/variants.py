"""How a program is run: as written, with the compat shim, or after TensorFlow's tf_upgrade_v2."""

from __future__ import annotations

import enum
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from lab.environments.shipment import Staged
from lab.scratch import scratch_dir

_IMPORT_TF = re.compile(r"^([ \t]*)import tensorflow as tf[ \t]*(#.*)?$", re.MULTILINE)
SHIM_LINE = "import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()"
UPGRADE_TIMEOUT_S = 600


class Variant(str, enum.Enum):
    """How a program is run."""

    AS_WRITTEN = "as-written"
    SHIM = "compat-shim"
    """`import tensorflow as tf` made `import tensorflow.compat.v1 as tf` + `tf.disable_v2_behavior()`."""
    UPGRADE = "tf-upgrade-v2"
    """The text after TensorFlow's own tf_upgrade_v2 (run by the local environment's TensorFlow)."""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Text:
    """A variant's program text, or why there is none (then the variant is reported unavailable)."""

    text: Optional[str]
    why: str = ""


def shim(text: str) -> Text:
    """The compat shim on one line, so every line keeps its number."""
    if not _IMPORT_TF.search(text):
        return Text(None, "no `import tensorflow as tf` line to replace")
    return Text(_IMPORT_TF.sub(lambda m: m.group(1) + SHIM_LINE, text))


def shim_chain(texts: Sequence[str]) -> List[Text]:
    """The compat shim for a session's cells, which run as one program: the cell that imports
    TensorFlow is shimmed, the others run as they are; none exists when no cell has the import."""
    shimmed = [shim(t) for t in texts]
    if not any(s.text is not None for s in shimmed):
        return [Text(None, "no cell has an `import tensorflow as tf` line to replace")] * len(texts)
    return [s if s.text is not None else Text(t) for s, t in zip(shimmed, texts)]


def upgraded(texts: Sequence[str], python: str, timeout_s: float = UPGRADE_TIMEOUT_S) -> List[Text]:
    """Each text through tf_upgrade_v2, run once by `python` (an interpreter with TensorFlow 2) in a
    guest process; a text of its own where the tool is missing or cannot convert it."""
    unique = list(dict.fromkeys(texts))
    if not unique:
        return []
    with Staged([]) as shipment, scratch_dir("upgrade") as tmp:
        request, out = Path(tmp) / "request.json", Path(tmp) / "out.json"
        request.write_text(json.dumps({"texts": unique}))
        variables = {**os.environ, "PYTHONPATH": str(shipment.root), "TF_CPP_MIN_LOG_LEVEL": "3"}
        try:
            subprocess.run([python, "-m", "lab.guest.verbatim.upgrade", "--request", str(request), "--out", str(out)],
                           env=variables, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout_s, cwd=tmp)
            answer = json.loads(out.read_text())
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            return [Text(None, f"tf_upgrade_v2 did not answer ({type(exc).__name__})")] * len(texts)
    if not isinstance(answer, dict) or not answer.get("available"):
        why = str(answer.get("reason", "")) if isinstance(answer, dict) else ""
        return [Text(None, why[:200] or "tf_upgrade_v2 is not available")] * len(texts)
    results = answer.get("results")
    if not isinstance(results, list) or len(results) != len(unique):
        return [Text(None, "tf_upgrade_v2 gave a malformed answer")] * len(texts)
    by_text: Dict[str, Text] = {}
    for text, result in zip(unique, results):
        new = result.get("text") if isinstance(result, dict) else None
        errors = result.get("errors") if isinstance(result, dict) else None
        by_text[text] = Text(new, "") if isinstance(new, str) else Text(
            None, "tf_upgrade_v2 could not convert it: " + "; ".join(map(str, errors or []))[:200])
    return [by_text[t] for t in texts]


def parse_variants(names: Sequence[str]) -> List[Variant]:
    """Variant names to variants (every one when none given), with a one-line error otherwise."""
    from lab.errors import UsageError

    chosen: List[Variant] = []
    for name in names:
        try:
            variant = Variant(name)
        except ValueError:
            raise UsageError(f"unknown variant {name!r}: use {', '.join(v.value for v in Variant)}") from None
        if variant not in chosen:
            chosen.append(variant)
    return chosen or list(Variant)

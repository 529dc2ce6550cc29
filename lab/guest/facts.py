"""What an environment is: TensorFlow, Keras, numpy and Python versions, and what is installed.

Standard library only, Python 3.7 and up: `importlib.metadata` arrived in 3.8, so installed
distributions are read from the `*.dist-info` and `*.egg-info` folders on sys.path directly.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from pathlib import Path
from typing import Any, Dict, List

from lab.guest.observe import exception_value

# Variables that change what TensorFlow computes or which Keras it loads: records state them.
RECORDED_VARIABLES = ("TF_ENABLE_ONEDNN_OPTS", "TF_USE_LEGACY_KERAS")


def keras_facts(tf: Any) -> Dict[str, Any]:
    """Which package backs tf.keras, and its version."""
    # It differs by version: tensorflow.python.keras (TF 1.15 to 2.5), keras 2 (2.6-2.15),
    # keras 3 (2.16+), or tf_keras when TF_USE_LEGACY_KERAS=1.
    try:
        dense = tf.keras.layers.Dense
        package = dense.__module__.split(".")[0]
        version = getattr(sys.modules.get(package), "__version__", None)
        if package == "tensorflow":
            version = getattr(tf.keras, "__version__", None)
        return {"keras": version, "keras_package": package}
    except Exception as exc:  # a broken Keras install is a fact, not a crash
        return {"keras": None, "keras_package": None, "keras_error": exception_value(exc)}


def environment_facts(tf: Any) -> Dict[str, Any]:
    """Facts shared by every trial in this process."""
    try:
        import numpy

        numpy_version = numpy.__version__
    except ImportError:  # numpy comes with TensorFlow; a stand-in for tests may lack it
        numpy_version = None
    facts: Dict[str, Any] = {
        "tensorflow": tf.__version__,
        "numpy": numpy_version,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "threads": 1,
    }
    facts.update(keras_facts(tf))
    for var in RECORDED_VARIABLES:
        facts[var] = os.environ.get(var)
    return facts


_NAME = re.compile(r"^Name:\s*(.+?)\s*$", re.MULTILINE)
_VERSION = re.compile(r"^Version:\s*(.+?)\s*$", re.MULTILINE)


def _read_metadata(folder: Path) -> str:
    for name in ("METADATA", "PKG-INFO"):
        try:
            return (folder / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    return ""


def installed_distributions() -> List[str]:
    """`pip freeze` without pip: every installed distribution as name==version, sorted."""
    found: Dict[str, str] = {}
    for entry in sys.path:
        try:
            folders = sorted(Path(entry or ".").iterdir())
        except OSError:
            continue
        for folder in folders:
            if not folder.name.endswith((".dist-info", ".egg-info")) or not folder.is_dir():
                continue
            text = _read_metadata(folder)
            name, version = _NAME.search(text), _VERSION.search(text)
            if name and version:
                # PEP 503 names (tensorflow-cpu, not tensorflow_cpu); the first on sys.path wins,
                # as it does for imports.
                found.setdefault(re.sub(r"[-_.]+", "-", name.group(1)).lower(), version.group(1))
    return sorted(f"{name}=={version}" for name, version in found.items())

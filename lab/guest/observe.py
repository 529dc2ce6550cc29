"""What twins record: the Recorder and the JSON normalization of values (tensors, exceptions)."""

from __future__ import annotations

import hashlib
import math
from contextlib import contextmanager
from typing import Any, Dict, Iterator

# Tensors up to this many elements keep every value; larger ones keep summary statistics and
# a digest, so records stay small and readable while still detecting any change.
MAX_INLINE_ELEMENTS = 64

def _float(x: float) -> Any:
    # JSON has no NaN or infinity; a string keeps the value visible and the record valid.
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _to_list(array: Any) -> Any:
    if array.dtype.kind == "f":
        return [_to_list(a) for a in array] if array.ndim else _float(float(array))
    if array.dtype.kind in "SO":
        flat = [v.decode() if isinstance(v, bytes) else str(v) for v in array.reshape(-1).tolist()]
        return flat if array.ndim else flat[0]
    return array.tolist()


def _tensor(array: Any) -> Dict[str, Any]:
    import numpy as np

    out: Dict[str, Any] = {"kind": "tensor", "dtype": str(array.dtype), "shape": list(array.shape)}
    if array.size <= MAX_INLINE_ELEMENTS or array.dtype.kind not in "fiub":
        out["values"] = _to_list(array)
        return out
    as64 = array.astype(np.float64)
    out["summary"] = {
        "mean": _float(float(as64.mean())),
        "std": _float(float(as64.std())),
        "min": _float(float(as64.min())),
        "max": _float(float(as64.max())),
    }
    out["digest"] = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:16]
    return out


def exception_value(exc: BaseException) -> Dict[str, Any]:
    """An exception as an observation: its type and the first line of its message."""
    lines = str(exc).strip().splitlines()
    return {"kind": "exception", "type": type(exc).__name__, "message": lines[0] if lines else ""}


NOTHING_RAISED: Dict[str, Any] = {"kind": "no_exception"}


def normalize(value: Any) -> Any:
    """Turn a twin's value into deterministic JSON: scalars, tensors, exceptions, containers."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, BaseException):
        return exception_value(value)
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    if isinstance(value, dict):
        return {str(k): normalize(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if hasattr(value, "numpy"):  # a tf.Tensor or tf.Variable
        try:
            value = value.numpy()
        except Exception:
            # A symbolic graph tensor has no value until a Session runs it.
            return {"kind": "symbolic", "type": type(value).__name__, "dtype": str(value.dtype.name)}
    if type(value).__module__ == "numpy":
        import numpy as np

        return _tensor(np.asarray(value))
    if hasattr(value, "__array__"):
        import numpy as np

        return _tensor(np.asarray(value))
    # Anything else: its type only, since a repr often carries memory addresses.
    return {"kind": "object", "type": type(value).__name__}


class Recorder:
    """Collects a twin's named observations; both twins of a scenario record the same keys."""

    def __init__(self) -> None:
        self.observations: Dict[str, Any] = {}

    def record(self, key: str, value: Any) -> Any:
        """Record `value` under `key` (once per key) and return the value unchanged."""
        if key in self.observations:
            raise KeyError(f"observation {key!r} recorded twice")
        self.observations[key] = normalize(value)
        return value

    @contextmanager
    def catch(self, key: str) -> Iterator[None]:
        """Run the block; record the exception it raised under `key`, or that none was raised."""
        try:
            yield
        except Exception as exc:  # any TensorFlow or Python error is an observation here
            self.record(key, exc)
        else:
            self.record(key, NOTHING_RAISED)

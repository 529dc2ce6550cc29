"""The verbatim cache: a program's result is reused while its text, variant, the shipped guest and
the environment's identity are unchanged (the record cache's approach, lab/cache.py)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

from lab.cache import default_cache_dir
from lab.verbatim.job import result_from_cache


def run_key(guest: str, env: str, identity: str, variant: str, text: str, timeout_s: float, repeat: int) -> str:
    parts = {"guest": guest, "env": env, "identity": identity, "variant": variant, "timeout_s": timeout_s,
             "repeat": repeat, "text": hashlib.sha256(text.encode()).hexdigest()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class ResultCache:
    """Validated guest results on disk, one JSON file per key, with the env's facts."""

    def __init__(self, directory: Optional[Path] = None) -> None:
        self.directory = Path(directory) if directory else default_cache_dir() / "verbatim"

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> Optional[Tuple[Dict[str, Any], Dict[str, str]]]:
        try:
            data = json.loads(self._path(key).read_text())
            result = result_from_cache(data["result"])
            facts = {str(k): str(v) for k, v in data["facts"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
        return (result, facts) if result is not None else None

    def put(self, key: str, result: Mapping[str, Any], facts: Mapping[str, str]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"result": dict(result), "facts": dict(facts)}))
        tmp.replace(path)

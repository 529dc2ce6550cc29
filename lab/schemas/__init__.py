"""JSON Schemas of what the lab writes and reads, and validation that names the file and field."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Dict

from lab.errors import UsageError

SCHEMA_DIR = Path(__file__).resolve().parent


class InvalidData(UsageError):
    """A file (or a guest's line) that is valid JSON of the wrong shape."""


class RecordFormatError(InvalidData):
    """A record written in another format (schema_version) than this lab reads."""

    def __init__(self, message: str, version: Any) -> None:
        super().__init__(message)
        self.version = version


@functools.cache
def _validator(name: str) -> Any:
    import jsonschema

    schema: Dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def problem(data: Any, name: str) -> str:
    """'' when `data` fits schema `name`, else the first problem: where it is, and what."""
    error = next(iter(sorted(_validator(name).iter_errors(data), key=lambda e: list(e.absolute_path))), None)
    if error is None:
        return ""
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
    return f"{where or 'top level'}: {error.message[:200]}"


def validate(data: Any, name: str, where: str) -> Any:
    """`data` unchanged when it fits schema `name`; else InvalidData naming `where` and the field."""
    found = problem(data, name)
    if found:
        raise InvalidData(f"{where}: not a valid {name} ({found})")
    return data

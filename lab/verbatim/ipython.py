"""IPython's conventions for a cell's code: shell escapes, magics and help lines, `%%writefile`.

A cell becomes Python with one line per line of the cell, so a line of the text is the line of
the cell. What IPython would hand to the shell or a magic is not run: its first line becomes
`pass` at its indent (continuation lines, `!cmd \\` then more, become blank) and it is listed
in `skipped`. `%%writefile [-a] PATH` becomes one line of Python that writes exactly the cell's
body to PATH (relative to the working folder, `~` expanded, as IPython does) and prints what
IPython prints. Cell magics whose body is Python (`%%time`, `%%capture`, ...) run the body.
Only a line where a statement starts is an escape: a `!` inside a string or brackets is code.

With `shell=True` (`lab verbatim --allow-shell`) what IPython hands to the shell runs instead, in
the same line: `!cmd` and `files = !cmd` through `/bin/sh` (IPython's `{var}` expansion aside),
`%pip ...` as this interpreter's pip, and a `%%bash` or `%%sh` cell's body through that shell.
Other magics and help lines are still skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

PASS = "pass  # lab: shell line not run"
"""What a skipped line becomes (the same text as before these conventions, so programs keep theirs)."""
PYTHON_BODY_MAGICS = {"time", "timeit", "capture", "prun", "debug", "tensorflow_version"}
"""Cell magics that run their body as Python (the timing, capture or profile itself is skipped)."""
_ESCAPE = re.compile(r"^(\s*)(?:!|%|\?)")
_DOLLAR = re.compile(r"^(\s*)\$ ")
_ASSIGNED = re.compile(r"^(\s*)[\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[!%]")  # files = !ls, t = %timeit -o f()
_HELP_END = re.compile(r"^\s*%{0,2}[A-Za-z_][\w.]*(?:\[-?\d+\])*\?\??\s*$")  # obj? obj.attr??


@dataclass(frozen=True)
class Converted:
    """A cell's Python text, what was not run, and whether anything of it is Python."""

    text: str
    skipped: Tuple[str, ...] = ()
    kind: str = "code"
    """'code', or 'shell' when the cell holds only shell commands, magics or help (nothing to run)."""


def convert(source: str, dollar: bool = False, cell_magics: bool = True, shell: bool = False) -> Converted:
    """The cell's code as Python. `dollar`: `$ cmd` lines (a Markdown console) are shell too;
    `shell`: shell commands run (see the module's docstring)."""
    lines = source.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if cell_magics and first is not None and lines[first].startswith("%%"):
        return _cell_magic(lines, first, shell)
    out: List[str] = []
    skipped: List[str] = []
    starts = _statement_starts(lines, dollar)
    i = 0
    while i < len(lines):
        line = lines[i]
        if starts[i] and _is_escape(line, dollar):
            end = i
            while lines[end].rstrip().endswith("\\") and end + 1 < len(lines):
                end += 1
            command = " ".join([x.strip()[:-1].rstrip() for x in lines[i:end]] + [lines[end].strip()])
            runs = shell_line(command) if shell else None
            if runs is None:
                skipped.append(command)
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + (runs or PASS)] + [""] * (end - i)
            i = end + 1
            continue
        out.append(line)
        i += 1
    kind = "shell" if skipped and all(not x.strip() or x.lstrip().startswith("#") or x.strip() == PASS
                                      for x in out) else "code"
    return Converted("\n".join(out).rstrip() + "\n", tuple(skipped), kind)


def _is_escape(line: str, dollar: bool) -> bool:
    return bool(_ESCAPE.match(line) or (dollar and _DOLLAR.match(line)) or _ASSIGNED.match(line)
                or _HELP_END.match(line))


def shell_line(command: str) -> Optional[str]:
    """One line of Python that runs a shell command as IPython runs it (None for a magic or help)."""
    found = re.match(r"^([\w.]+(?:\s*,\s*[\w.]+)*)\s*=\s*(.*)$", command)
    target, rest = (found.group(1), found.group(2).strip()) if found else ("", command.strip())
    run = '__import__("subprocess").run'
    if rest.startswith("!") and not rest.startswith("!!"):
        if target:  # IPython gives the lines of its output (an SList)
            return (f"{target} = {run}({rest[1:].strip()!r}, shell=True, stdout=-1, universal_newlines=True)"
                    ".stdout.splitlines()  # lab: shell")
        return f"{run}({rest[1:].strip()!r}, shell=True)  # lab: shell"
    if not target and re.match(r"^%pip\s", rest):
        return (f'{run}([__import__("sys").executable, "-m", "pip"] + __import__("shlex").split('
                f'{rest[4:].strip()!r}))  # lab: %pip')
    return None


def _cell_magic(lines: List[str], first: int, shell: bool = False) -> Converted:
    name, _, arguments = lines[first][2:].strip().partition(" ")
    blank = [""] * first
    if shell and name in ("bash", "sh") and not arguments.strip():
        script = "\n".join(lines[first + 1:]) + "\n"
        run = f'__import__("subprocess").run([{name!r}, "-c", {script!r}])  # lab: %%{name}'
        return Converted("\n".join(blank + [run]) + "\n")
    if name == "writefile":
        body = "\n".join(lines[first + 1:]) + "\n"  # IPython ends the cell with a newline
        line = writefile_line(arguments, body)
        if line is None:
            return Converted("\n".join(blank + [PASS]) + "\n", (lines[first].strip(),), "shell")
        return Converted("\n".join(blank + [line]) + "\n")
    if name in PYTHON_BODY_MAGICS:
        inner = convert("\n".join(lines[first + 1:]), cell_magics=False, shell=shell)
        return Converted("\n".join([*blank, PASS, inner.text.rstrip("\n")]).rstrip() + "\n",
                         (lines[first].strip(), *inner.skipped), inner.kind if inner.text.strip() else "shell")
    return Converted("\n".join(blank + [PASS]) + "\n", (lines[first].strip(),), "shell")


def writefile_line(arguments: str, body: str) -> Optional[str]:
    """One line of Python doing what IPython's `%%writefile ARGUMENTS` does with `body`; None when
    the arguments are not a file name IPython would take."""
    words = arguments.split()
    append = any(w in ("-a", "--append") for w in words)
    rest = [w for w in words if w not in ("-a", "--append")]
    if not rest or any(w.startswith("-") for w in rest):
        return None
    filename = arguments[arguments.index(rest[0]):].strip()
    if re.match(r"^('.*')|(\".*\")$", filename):
        filename = filename[1:-1]
    mode, told = ("a", "Appending to %s") if append else ("w", "Overwriting %s")
    path = f'__import__("os").path.expanduser({filename!r})'
    # An `if` rather than an expression: a kernel shows no value for it, and it binds no name.
    return (f'if (lambda p: (__import__("builtins").print(({told!r} if __import__("os").path.exists(p) else '
            f'"Writing %s") % p), (lambda f: (f.write({body!r}), f.close()))(__import__("io").open(p, {mode!r}, '
            f'encoding="utf-8"))))({path}): pass  # lab: %%writefile')


def _statement_starts(lines: List[str], dollar: bool) -> List[bool]:
    """For each line: does a statement start on it (not inside a string, brackets or a `\\` line)?"""
    starts: List[bool] = []
    depth, triple, continued = 0, "", False
    for line in lines:
        start = not triple and depth == 0 and not continued
        starts.append(start)
        if start and _is_escape(line, dollar):
            continued = line.rstrip().endswith("\\")
            continue
        depth, triple = _scan(line, depth, triple)
        continued = not triple and line.rstrip().endswith("\\") and not line.lstrip().startswith("#")
    return starts


def _scan(line: str, depth: int, triple: str) -> Tuple[int, str]:
    """Bracket depth and open triple quote after `line`."""
    i, quote = 0, ""
    while i < len(line):
        if triple:
            if line.startswith(triple, i):
                i, triple = i + 3, ""
                continue
            i += 2 if line[i] == "\\" else 1
            continue
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif line.startswith('"""', i) or line.startswith("'''", i):
            triple, i = line[i:i + 3], i + 3
            continue
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            break
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        i += 1
    return depth, triple

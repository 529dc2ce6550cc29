"""Text a guest wrote (an error message, a log line, a document's output) reaches no terminal line,
report.md or junit.xml raw: control characters are shown escaped, junit.xml parses with a strict
parser, and a quoted log line is bounded."""

from __future__ import annotations

import re
import xml.dom.minidom
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from tests.faults.conftest import ENV, Lab, records_of

RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 controls and DEL, but tab and newline."""
DOCUMENT = """# A post found online

```python
import sys
print("\\x1b]0;lab-pwned\\x07\\x1b[2J\\x00 shown by the block")
print("\\x1b[31m\\x9b31m on stderr", file=sys.stderr)
raise ValueError("\\x1b]0;lab-pwned\\x07\\x00 raised by the block")
```
"""


def assert_clean(text: str, where: str) -> None:
    found = RAW.search(text)
    assert found is None, f"{where} holds {found.group()!r}: {text[max(0, found.start() - 80):][:160]!r}"


@pytest.mark.docker
def test_a_twins_escape_sequences_reach_no_terminal_report_or_junit_raw(lab: Lab, docker_client: Any) -> None:
    lab.knobs(ESCAPES="\x1b]0;lab-pwned\x07\x1b[2J\x1b[31m\x00\x9b31m\x08" + "x" * 20_000)
    done = lab.run("compare-all", "hostile-escape", "fault-ok", "--env", "local", "--env", ENV, "--no-cache",
                   "--out", str(lab.out))
    assert done.returncode == 4, done.stderr[-2000:]
    assert_clean(done.stdout, "compare-all's output")
    assert_clean(done.stderr, "compare-all's errors")
    assert_clean((lab.out / "report.md").read_text(), "report.md")
    junit = (lab.out / "junit.xml").read_bytes()
    ET.fromstring(junit)  # expat: no control character, no invalid token
    xml.dom.minidom.parseString(junit)
    assert_clean(junit.decode(), "junit.xml")
    assert "lab-pwned" in junit.decode()  # shown, escaped: not dropped
    for env in ("local", ENV):
        crash = records_of(lab.out)[(env, "hostile-escape", "graph")]
        assert crash.status.value == "crashed"
        assert len(crash.error["message"]) < 600  # the 20 KB log line it quotes is cut
    shown = lab.run("run", "hostile-escape", "--env", "local", "--env", ENV)
    assert_clean(shown.stdout + shown.stderr, "run's output")
    report = lab.run("report", str(lab.out))
    assert_clean(report.stdout + report.stderr, "report's output")


def test_a_documents_escape_sequences_reach_no_terminal_or_report_raw(lab: Lab) -> None:
    (lab.root / "post.md").write_text(DOCUMENT)
    done = lab.run("verbatim", str(lab.root / "post.md"), "--env", "local", "--variant", "as-written", "--out",
                   str(lab.out))
    assert done.returncode == 0, done.stderr[-2000:]
    assert_clean(done.stdout + done.stderr, "verbatim's output")
    report = (lab.out / "report.md").read_text()
    assert_clean(report, "report.md")
    assert "lab-pwned" in report and "ValueError" in report

"""The sandbox of local and interpreter guests (bubblewrap): no secret, no Docker socket, no
network, nothing of the user's to write, no variable off the allow-list, no capability; and as
before with --no-sandbox. Skipped, saying why, where bwrap cannot make a sandbox."""

from __future__ import annotations

import json
import os
from typing import Any, Dict

import pytest

from tests.faults.conftest import Lab, need_made, records_of

DOCUMENT = """# A post found online

```python
print(open("/etc/shadow").read()[:4])
```
"""


@pytest.fixture(autouse=True)
def _bwrap() -> None:
    """A skip where bubblewrap cannot make a sandbox (the lab's own probe: the guests' command), unless
    LAB_REQUIRE_SANDBOX=1 (CI, which installs it): then a failure, so CI never runs unsandboxed unseen."""
    from lab import sandbox

    why = sandbox.unavailable()
    if why:
        if os.environ.get("LAB_REQUIRE_SANDBOX") == "1":
            pytest.fail(f"no sandbox here: {why}; LAB_REQUIRE_SANDBOX=1 requires it")
        pytest.skip(f"no sandbox here: {why} (apt-get install bubblewrap)")


def observed(lab: Lab, env: str, *extra: str) -> Dict[str, Any]:
    out = lab.out / (env + "".join(extra))
    done = lab.run("run", "hostile-sandbox", "--mode", "graph", "--env", env, "--no-cache", "--out", str(out),
                   *extra, HOSTILE_SECRET="a token of the user's")
    assert done.returncode == 0, done.stderr[-2000:]
    return records_of(out)[(env, "hostile-sandbox", "graph")].observations


@pytest.mark.parametrize("env", ["local", "tf1.15"])
def test_a_sandboxed_guest_reaches_no_secret_socket_network_file_or_variable_of_the_user(
        lab: Lab, env: str) -> None:
    need_made(env)
    inside = observed(lab, env)
    assert inside["read_shadow"] == "PermissionError"
    assert inside["docker_socket"] in ("FileNotFoundError", "ConnectionRefusedError")
    assert inside["network"] == "OSError" and inside["interfaces"] == ["lo"]
    assert inside["write_home"] == "OSError"  # a read-only file system
    assert inside["secret_variable"] is False and inside["cap_eff"] == "0000000000000000"
    outside = observed(lab, env, "--no-sandbox")
    assert outside["secret_variable"] is True and outside["write_home"] == "yes"
    if set(os.listdir("/sys/class/net")) - {"lo"}:  # a host with a network: the unsandboxed guest sees it
        assert outside["interfaces"] != ["lo"]
    if os.geteuid() == 0:
        assert outside["read_shadow"] == "yes"


def test_a_document_run_locally_cannot_read_the_machines_secrets(lab: Lab) -> None:
    (lab.root / "post.md").write_text(DOCUMENT)

    def outcome(*extra: str) -> Dict[str, Any]:
        done = lab.run("verbatim", str(lab.root / "post.md"), "--env", "local", "--variant", "as-written", "--json",
                       *extra)
        assert done.returncode == 0, done.stderr[-2000:]
        (found,) = json.loads(done.stdout)["outcomes"]
        return found

    inside = outcome()
    assert inside["status"] == "raised" and inside["error"]["type"] == "PermissionError"
    if os.geteuid() == 0:
        assert outcome("--no-sandbox")["status"] == "ran"

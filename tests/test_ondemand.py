"""On-demand environments: a pin names an env, resolved against a canned PyPI release list."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from lab import releases
from lab.cli import main
from lab.environments import lookup, resolve, resolve_names
from lab.environments.interpreter import InterpreterEnvironment
from lab.environments.interpreter.environment import SPEC_FILE, USED
from lab.environments.interpreter.venvcache import cached_venvs, prune
from lab.environments.ondemand import Spec, parse
from lab.errors import UsageError

PYPI = Path(__file__).parent / "fixtures" / "pypi"


@pytest.fixture(autouse=True)
def canned_index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LAB_PYPI_JSON", PYPI.resolve().as_uri())
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "cache"))
    releases._memo.clear()


@pytest.mark.parametrize(("text", "name"), [
    ("tf==2.17.1", "tf2.17.1"),
    ("tf==2.16.2+tf-keras", "tf2.16.2-tf-keras"),
    ("py3.9/tf==2.8.4", "py3.9-tf2.8.4"),
])
def test_a_pin_and_its_folder_safe_name_parse_to_the_same_spec(text: str, name: str) -> None:
    assert parse(text) == parse(name)
    assert (parse(text).text, parse(text).name) == (text, name)  # type: ignore[union-attr]  # both parse: asserted above


def test_matrix_names_are_not_pins_and_a_pin_may_name_a_release_by_its_prefix() -> None:
    assert parse("tf2.15") is None and parse("local") is None
    assert parse("tf==2.15") == Spec("2.15")


def test_final_releases_only_cut_at_the_matrix_lock_instant_oldest_first() -> None:
    found = [r.version for r in releases.releases(exclude_newer="2026-11-20T00:00:00Z")]
    assert found == ["1.15.5", "2.8.4", "2.13.0", "2.13.1", "2.14.0", "2.14.1", "2.16.2", "2.17.1"]


def test_a_range_is_every_release_between_both_ends_and_may_run_backwards() -> None:
    assert [r.version for r in releases.between("2.13.0", "2.14.1")] == ["2.13.0", "2.13.1", "2.14.0", "2.14.1"]
    assert [r.version for r in releases.between("2.14.0", "2.13.1")] == ["2.14.0", "2.13.1"]
    assert [r.version for r in releases.between("1.15.5", "2.13.0", python="3.7")] == ["1.15.5", "2.8.4"]


def test_the_newest_python_with_wheels_is_chosen_and_the_cpu_wheel_where_it_exists() -> None:
    env, spec = lookup("tf==2.17.1")
    assert spec == Spec("2.17.1") and env.name == "tf2.17.1" and env.kind == "interpreter"
    assert (env.python, env.tensorflow, env.numpy) == ("3.12", "tensorflow-cpu==2.17.1", "numpy<2")
    old, _ = lookup("tf==1.15.5")  # no tensorflow-cpu 1.15.5: the full wheel; protobuf 4 breaks it
    assert (old.python, old.tensorflow, old.pins) == ("3.7", "tensorflow==1.15.5", ("protobuf<3.21",))


def test_tf_keras_takes_the_full_wheel_and_keras_of_the_same_minor() -> None:
    env, _ = lookup("tf==2.16.2+tf-keras")
    assert (env.tensorflow, env.keras) == ("tensorflow==2.16.2", "tf-keras~=2.16.0")
    assert env.environment["TF_USE_LEGACY_KERAS"] == "1"


def test_the_same_spec_gives_the_same_lock_path_and_another_python_another() -> None:
    assert lookup("tf==2.8.4")[0].lock == lookup("tf2.8.4")[0].lock
    assert lookup("py3.9/tf==2.8.4")[0].lock != lookup("tf==2.8.4")[0].lock


@pytest.mark.parametrize(("text", "words"), [
    ("py3.11/tf==2.8.4", "no TensorFlow 2.8.4 wheel for Python 3.11 (it has 3.7, 3.8, 3.9, 3.10)"),
    ("tf==2.16.0", "not a final release on PyPI; the nearest are 2.16.2"),
    ("tf==2.13.1+tf-keras", "+tf-keras is for TF 2.16 and newer"),
])
def test_a_spec_that_cannot_resolve_is_one_line_and_exit_2(text: str, words: str, capsys) -> None:
    with pytest.raises(UsageError, match=words.replace("+", r"\+").replace("(", r"\(").replace(")", r"\)")):
        lookup(text)
    assert main(["run", "tf1-reinit", "--env", text]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("lab: error: ") and words in err[0]


def test_resolve_makes_an_on_demand_interpreter_env_that_describes_its_spec() -> None:
    assert resolve_names(["tf==2.14.0", "tf2.14.0"]) == ["tf2.14.0"]
    [env] = resolve(["tf==2.14.0"])
    assert isinstance(env, InterpreterEnvironment) and env.kind == "interpreter"
    assert env.describe()["spec"] == "tf==2.14.0"


def test_cached_venvs_are_listed_with_their_spec_and_pruned_by_age(tmp_path: Path) -> None:
    venvs = tmp_path / "cache" / "venvs"
    for name, days in (("tf2.14.0-aaa", 10), ("tf2.17.1-bbb", 1)):
        (venvs / name).mkdir(parents=True)
        (venvs / name / ".lab-ready").write_text("3.11.7\n")
        (venvs / name / SPEC_FILE).write_text(json.dumps({"spec": "tf==" + name[2:8], "python": "3.11"}))
        (venvs / name / USED).write_text("")
        stamp = time.time() - days * 86400
        os.utime(venvs / name / USED, (stamp, stamp))
    assert [(v.name, v.spec) for v in cached_venvs()] == [("tf2.14.0-aaa", "tf==2.14.0"), ("tf2.17.1-bbb",
                                                                                           "tf==2.17.1")]
    assert [v.name for v in prune(older_than_days=5)] == ["tf2.14.0-aaa"]
    assert [v.name for v in cached_venvs()] == ["tf2.17.1-bbb"]
    assert main(["envs", "prune"]) == 0 and cached_venvs() == []


def test_a_pin_by_prefix_is_the_newest_final_release_and_preparing_it_says_so() -> None:
    from lab.environments import ondemand

    assert resolve_names(["tf==2.13", "tf==2.13.1"]) == ["tf2.13.1"]
    env, spec = lookup("tf==2.13")
    assert (env.name, spec.version, env.on_demand) == ("tf2.13.1", "2.13.1", "tf==2.13.1")
    env.lock.parent.mkdir(parents=True, exist_ok=True)
    env.lock.write_text("# a lock, so that nothing is compiled\n")
    said: list = []
    ondemand.ensure_lock(env, said.append)
    ondemand.ensure_lock(env, said.append)
    assert said == ["tf==2.13: 2.13 is 2.13.1, the newest final 2.13.x"]  # once, then it is known


def test_an_image_pin_is_named_apart_from_the_venv_of_the_same_release() -> None:
    image, spec = lookup("tf==2.14.0+image")
    assert (image.name, image.kind, spec.text) == ("tf2.14.0-image", "image", "tf==2.14.0+image")
    assert parse("tf2.14.0-image") == spec and lookup("tf2.14.0-image")[0].lock == image.lock
    assert image.python == "3.11" and (image.debian, image.platform) == ("bookworm", "x86_64-manylinux_2_36")
    with pytest.raises(UsageError, match="the local kind is not made on demand; use image or interpreter"):
        lookup("tf==2.14.0+local")
    with pytest.raises(UsageError, match="no environment kind 'vm'"):
        lookup("tf==2.14.0+vm")

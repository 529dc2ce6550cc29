"""The environment matrix: loading, validation, lookup, fingerprints (no Docker needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lab.environments.declared import MATRIX_PATH, RECIPE_FILES, env_fingerprint, get_env, image_tag, load_matrix
from lab.environments.image.wheels import lock_hashes, platform_tags
from lab.errors import UsageError

MINIMAL = """
[python."3.11"]
debian = "bookworm"
platform = "x86_64-manylinux_2_36"

[environment]
TF_ENABLE_ONEDNN_OPTS = "0"

[env."tf2.15"]
description = "a test env"
python = "3.11"
tensorflow = "tensorflow-cpu==2.15.1"
keras = "keras==2.15.0"
numpy = "numpy==1.26.4"
"""


def write_matrix(root: Path, text: str = MINIMAL) -> Path:
    """A matrix, a lock and the recipe files under `root`, like containers/ in the repo."""
    (root / "locks").mkdir(parents=True, exist_ok=True)
    (root / "matrix.toml").write_text(text)
    (root / "locks" / "tf2.15.txt").write_text("numpy==1.26.4 \\\n    --hash=sha256:" + "a" * 64 + "\n")
    for name in RECIPE_FILES:
        (root / name).write_text(f"# {name}\n")
    return root / "matrix.toml"


def test_the_repo_matrix_has_the_promised_envs():
    names = [env.name for env in load_matrix()]
    assert {"tf2.21", "tf2.21-legacy-keras", "tf2.15", "tf2.12", "tf2.5"} <= set(names)


def test_every_repo_env_has_a_lock_and_deterministic_settings():
    for env in load_matrix():
        assert env.lock.is_file(), f"{env.name}: run `python containers/lock.py {env.name}`"
        assert env.environment["TF_ENABLE_ONEDNN_OPTS"] == "0"
        assert "TF_CPP_MIN_LOG_LEVEL" in env.environment


def test_every_repo_lock_holds_the_env_pins_with_hashes():
    for env in load_matrix():
        text = env.lock.read_text()
        for pin in env.requirements:
            assert f"\n{pin} " in text or text.startswith(f"{pin} "), f"{env.name}: {pin} not in lock"
        assert all(lock_hashes(env.lock).values()), f"{env.name}: a pin without a hash"


def test_legacy_keras_env_switches_tf_keras_to_keras_2():
    env = get_env("tf2.21-legacy-keras")
    assert env.environment["TF_USE_LEGACY_KERAS"] == "1"
    assert env.keras.startswith("tf-keras==")


def test_python_39_env_uses_bullseye():
    env = get_env("tf2.5")
    assert (env.python, env.debian) == ("3.9", "bullseye")


def test_env_fields_come_from_the_entry_and_its_python_table(tmp_path):
    (env,) = load_matrix(write_matrix(tmp_path))
    assert env.debian == "bookworm"
    assert env.platform == "x86_64-manylinux_2_36"
    assert env.requirements == ["tensorflow-cpu==2.15.1", "keras==2.15.0", "numpy==1.26.4"]
    assert env.tensorflow_version == "2.15.1"
    assert env.lock == tmp_path / "locks" / "tf2.15.txt"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('numpy = "numpy==1.26.4"', 'numpy = "numpy>=1.26"'), "not an exact pin"),
        (('python = "3.11"', 'python = "3.10"'), "has no [python"),
        (('keras = "keras==2.15.0"\n', ""), "missing required key 'keras'"),
        (('description = "a test env"', 'flavour = "x"'), "unknown key(s) flavour"),
    ],
    ids=["range-not-pin", "unknown-python", "missing-keras", "unknown-key"],
)
def test_a_malformed_entry_is_a_usage_error_naming_the_env(tmp_path, edit, message):
    path = write_matrix(tmp_path, MINIMAL.replace(*edit))
    with pytest.raises(UsageError, match=r"matrix env 'tf2\.15'") as info:
        load_matrix(path)
    assert message in str(info.value)


def test_get_env_suggests_the_closest_name(tmp_path):
    with pytest.raises(UsageError, match=r"did you mean 'tf2\.15'"):
        get_env("tf2.16", write_matrix(tmp_path))


def test_fingerprint_is_stable_for_an_unchanged_env(tmp_path):
    path = write_matrix(tmp_path)
    assert env_fingerprint(load_matrix(path)[0]) == env_fingerprint(load_matrix(path)[0])


@pytest.mark.parametrize(
    "change",
    ["lock", "Dockerfile", "Dockerfile.offline", "install.sh", "base.sh", "environment", "numpy pin"],
)
def test_fingerprint_changes_with_what_the_image_is_made_of(tmp_path, change):
    path = write_matrix(tmp_path)
    before = env_fingerprint(load_matrix(path)[0])
    if change == "lock":
        with (tmp_path / "locks" / "tf2.15.txt").open("a") as lock:
            lock.write("six==1.17.0 \\\n    --hash=sha256:" + "b" * 64 + "\n")
    elif change == "environment":
        path.write_text(MINIMAL.replace('TF_ENABLE_ONEDNN_OPTS = "0"', 'TF_ENABLE_ONEDNN_OPTS = "1"'))
    elif change == "numpy pin":
        path.write_text(MINIMAL.replace("numpy==1.26.4", "numpy==1.26.3"))
    else:
        (tmp_path / change).write_text("# edited\n")
    assert env_fingerprint(load_matrix(path)[0]) != before


def test_description_does_not_change_the_fingerprint(tmp_path):
    path = write_matrix(tmp_path)
    before = env_fingerprint(load_matrix(path)[0])
    path.write_text(MINIMAL.replace("a test env", "reworded"))
    assert env_fingerprint(load_matrix(path)[0]) == before


def test_image_tag_is_name_and_twelve_hex(tmp_path):
    env = load_matrix(write_matrix(tmp_path))[0]
    assert image_tag(env) == f"lab-env:tf2.15-{env_fingerprint(env)[:12]}"


def test_missing_lock_says_how_to_make_it(tmp_path):
    env = load_matrix(write_matrix(tmp_path))[0]
    env.lock.unlink()
    with pytest.raises(UsageError, match="make lock"):
        env_fingerprint(env)


def test_platform_tags_cover_older_glibcs_and_legacy_aliases():
    tags = platform_tags("x86_64-manylinux_2_31")
    assert tags[0] == "manylinux_2_31_x86_64"
    assert {"manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64"} <= set(tags)
    assert "manylinux_2_32_x86_64" not in tags


def test_repo_matrix_is_the_default(tmp_path):
    shutil.copy(MATRIX_PATH, tmp_path / "matrix.toml")
    assert [e.name for e in load_matrix(tmp_path / "matrix.toml")] == [e.name for e in load_matrix()]

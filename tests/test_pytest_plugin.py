"""The pytest plugin, run by pytester: verdicts asserted in tests, documents' blocks run as tests."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest

from lab.scenario import ROOT

pytest_plugins = ["pytester"]

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

POST = '''# A post

```python
print("ok:", 1 + 1)
```

```python
value = 1 / 0
```

```python
print(undefined_name)
```
'''


def _entry_point_loaded() -> bool:
    return any(e.value == "lab.pytest_plugin" for e in metadata.entry_points(group="pytest11"))


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # Installed (`make setup`), pytest loads the plugin from its entry point; from a bare checkout, by name.
    plugin = [] if _entry_point_loaded() else ["-p", "lab.pytest_plugin"]
    return pytester.runpytest(*plugin, "-p", "no:cacheprovider", *args)


def test_the_plugin_is_declared_as_a_pytest11_entry_point() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {"lab": "lab.pytest_plugin"}


def test_lab_verdict_passes_and_a_wrong_one_fails_with_the_observations(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_claims='''
        def test_reinit_resets(lab_verdict):
            assert lab_verdict("tf1-reinit", claim=4, mode="graph") == "REFUTED"

        def test_reinit_keeps(lab_verdict):
            assert lab_verdict("tf1-reinit", claim=4, mode="graph", env="local") == "HOLDS"
    ''')
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*tf1-reinit claim 4 in graph on local: REFUTED*",
                                 "*observations that decided:*", "*after_init_following_assign = 1.0 float32*"])


def test_an_unknown_scenario_fails_in_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_claims='''
        def test_typo(lab_verdict):
            assert lab_verdict("tf1-reint", claim=1) == "HOLDS"
    ''')
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*lab: error: unknown scenario 'tf1-reint'; did you mean tf1-reinit*"])


def test_the_lab_verbatim_marker_fails_a_test_whose_document_raises(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", post=POST, good="```python\nprint('w:', 2.0)\n```\n")
    pytester.makepyfile(test_docs='''
        import pytest

        @pytest.mark.lab_verbatim("post.md", env="local")
        def test_post():
            pass

        @pytest.mark.lab_verbatim("good.md")
        def test_good(lab_verbatim_run):
            assert [o.word for o in lab_verbatim_run.blocks] == ["ran"]
            assert lab_verbatim_run.blocks[0].value("w") == [2.0]
    ''')
    result = run(pytester, "--strict-markers")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*blocks that did not run to the end:*",
                                 ("*post.md#2 (line 8) as-written in local: raised: ZeroDivisionError: division by "
                                  "zero (block line 1, document line 8)*")])


def test_lab_markdown_collects_a_test_per_block(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", post=POST)
    result = run(pytester, "--lab-markdown", "-v")
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines(["*post.md::block1-line4 PASSED*", "*post.md::block2-line8 FAILED*",
                                 "*post.md::block3-line12 SKIPPED*"])
    assert "ZeroDivisionError: division by zero" in result.stdout.str()


def test_without_the_option_markdown_is_not_collected(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", post=POST)
    run(pytester).assert_outcomes()
    assert Path(pytester.path / "post.md").exists()


SHOWN = """# Shown output

```python
print("value:", 4.0)
```

Output:

```
value: 5.0
```
"""


def test_lab_markdown_fails_a_block_that_prints_other_output_than_it_shows_and_update_rewrites_it(
        pytester: pytest.Pytester) -> None:
    written = pytester.makefile(".md", shown=SHOWN).read_text()
    failed = run(pytester, "--lab-markdown")
    failed.assert_outcomes(failed=1)
    failed.stdout.fnmatch_lines(["*prints other output than its document shows (--lab-update rewrites it):*",
                                 "*shown.md#1 (line 4) as-written in local: shown 'value: 5.0', printed 'value: 4.0'*"])
    run(pytester, "--lab-markdown", "--lab-update").assert_outcomes(passed=1)
    assert (pytester.path / "shown.md").read_text() == written.replace("value: 5.0", "value: 4.0")
    run(pytester, "--lab-markdown").assert_outcomes(passed=1)


def test_the_marker_fails_on_a_missing_document_and_on_a_shown_output_it_does_not_print(
        pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", shown=SHOWN)
    pytester.makepyfile(test_docs='''
        import pytest

        @pytest.mark.lab_verbatim("nope.md")
        def test_missing():
            pass

        @pytest.mark.lab_verbatim("shown.md")
        def test_shown():
            pass

        @pytest.mark.lab_verbatim("shown.md", output_check="lax")
        def test_lax(lab_verbatim_run):
            assert lab_verbatim_run.blocks[0].match == "not checked"
    ''')
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(["*lab: error: */nope.md: no such file or folder*",
                                 "*blocks that print other output than their document shows*",
                                 "*shown 'value: 5.0', printed 'value: 4.0'*"])


def test_a_usage_error_is_one_line_and_unknown_modes_and_verdicts_are_named(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_claims='''
        def test_typo(lab_verdict):
            assert lab_verdict("tf1-reint", claim=1) == "HOLDS"

        def test_mode(lab_verdict):
            assert lab_verdict("tf1-reinit", claim=4, mode="Graph") == "REFUTED"

        def test_word(lab_verdict):
            assert lab_verdict("tf1-reinit", claim=4, mode="graph") == "REFUTE"

        def test_evidence(lab_verdict):
            verdict = lab_verdict("tf1-reinit", claim=4, mode="graph")
            assert verdict == "REFUTED" and verdict.evidence["after_init_following_assign"] is not None
    ''')
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=3)
    # The failures section only: under CI (CI=true) pytest does not truncate the short summary, which repeats it.
    failures = result.stdout.str().split("short test summary info")[0]
    assert failures.count("lab: error: unknown scenario 'tf1-reint'") == 1 and "During handling" not in failures
    result.stdout.fnmatch_lines(["*lab: error: unknown mode 'Graph': use graph or eager*",
                                 "*lab: error: 'REFUTE' is no verdict: compare with HOLDS, REFUTED, INCONCLUSIVE*"])


def test_an_assertion_on_an_outcome_has_a_short_first_line_and_the_fields_that_differ(
        pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", good="```python\nprint('w:', 2.0)\n```\n")
    pytester.makepyfile(test_docs='''
        import dataclasses
        import pytest

        @pytest.mark.lab_verbatim("good.md")
        def test_good(lab_verbatim_run):
            o = lab_verbatim_run.blocks[0]
            assert o == dataclasses.replace(o, stdout="w: 3.0\\n")
    ''')
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([("E *assert Outcome(document='good.md', block=1, ... == Outcome(document='good.md', "
                                  "block=1, ..."),
                                  "E *stdout: 'w: 2.0\\n' != 'w: 3.0\\n'"])
    assert max(len(line) for line in result.stdout.lines if line.startswith("E ")) < 120


def test_a_bad_env_or_marker_value_fails_each_block_or_test_in_one_line_without_a_traceback(
        pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", post=POST)
    blocks = run(pytester, "--lab-markdown", "--lab-env", "tf9.99")
    blocks.assert_outcomes(failed=3)
    failures = blocks.stdout.str().split("short test summary info")[0]
    assert failures.count("lab: error: no environment 'tf9.99'") == 3 and "Traceback" not in failures
    pytester.makepyfile(test_docs='''
        import pytest

        @pytest.mark.lab_verbatim("post.md", timeout_s="soon")
        def test_timeout():
            pass
    ''')
    marked = run(pytester, "test_docs.py")
    marked.assert_outcomes(errors=1)
    marked.stdout.fnmatch_lines([("*lab: error: lab_verbatim: timeout_s='soon' is not a number: give e.g. "
                                  "timeout_s=60.0*")])
    assert "ValueError" not in marked.stdout.str()

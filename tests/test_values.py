"""lab/values.py: one-line forms of observations, and the plain and drawn tables of the terminal."""

from __future__ import annotations

import io

import pytest

from lab.values import MAX_SHOWN, clip, on_terminal, show, table


def _tensor(shape, dtype="float32", **rest):
    return {"kind": "tensor", "shape": shape, "dtype": dtype, **rest}


def test_a_small_tensor_shows_its_values_then_dtype_and_shape() -> None:
    assert show(_tensor([2, 2], values=[[1.0, 2.5], [3.0, -4.0]])) == "[[1.0, 2.5], [3.0, -4.0]] float32[2x2]"


def test_a_scalar_tensor_has_no_shape_after_its_dtype() -> None:
    assert show(_tensor([], "int32", values=3)) == "3 int32"


def test_a_large_tensor_shows_its_statistics_with_floats_kept_as_floats() -> None:
    summary = {"mean": 0.5, "std": 1.0, "min": -2.0, "max": 3.25}
    assert show(_tensor([100, 10], summary=summary)) == "float32[100x10] mean=0.5 std=1.0 min=-2.0 max=3.25"


def test_more_values_than_shown_end_in_an_ellipsis() -> None:
    values = list(range(MAX_SHOWN + 2))
    assert show(_tensor([len(values)], "int64", values=values)) == "[0, 1, 2, 3, 4, 5, ...] int64[8]"


def test_exactly_max_shown_values_have_no_ellipsis() -> None:
    assert show(list(range(MAX_SHOWN))) == "[0, 1, 2, 3, 4, 5]"


@pytest.mark.parametrize(("number", "text"), [(1.0, "1.0"), (0.30000000000000004, "0.3"), (1e-07, "1e-07"),
                                          (float("nan"), "nan"), (float("-inf"), "-inf"), (3, "3"),
                                          (123456789.0, "1.23457e+08")])
def test_numbers_keep_six_significant_digits_and_a_float_never_reads_as_an_int(number, text) -> None:
    assert show(number) == text


def test_a_caught_exception_says_what_was_raised() -> None:
    assert show({"kind": "exception", "type": "ValueError", "message": "bad shape"}) == "raised ValueError: bad shape"


def test_no_exception_says_nothing_raised() -> None:
    assert show({"kind": "no_exception"}) == "nothing raised"


def test_a_symbolic_tensor_and_an_object_show_their_types() -> None:
    assert show({"kind": "symbolic", "type": "Tensor", "dtype": "float32"}) == "<symbolic Tensor float32>"
    assert show({"kind": "object", "type": "Sequential"}) == "<Sequential>"


def test_a_histogram_shows_its_number_of_bins() -> None:
    assert show({"counts": [1, 2, 3], "edges": [0.0, 1.0, 2.0, 3.0]}) == "<3 bins>"


def test_any_other_mapping_shows_each_entry_in_order() -> None:
    assert show({"loss": 0.25, "name": "adam", "steps": [1, 2]}) == "{loss: 0.25, name: 'adam', steps: [1, 2]}"


def test_a_list_of_observations_shows_each_one() -> None:
    assert show([{"kind": "no_exception"}, 2.0]) == "[nothing raised, 2.0]"


def test_a_string_is_quoted_so_it_is_not_read_as_a_number() -> None:
    assert show("1.0") == "'1.0'"


def test_clip_cuts_long_text_to_the_width_with_an_ellipsis() -> None:
    assert clip("abcdefgh", 6) == "abc..."
    assert clip("abcdef", 6) == "abcdef"


def test_a_plain_table_aligns_columns_under_a_rule_without_trailing_spaces() -> None:
    lines = table(["claim", "env"], [["a #1", "HOLDS"], ["scenario #10", ""]], terminal=False)
    assert lines == ["claim         env", "------------  -----", "a #1          HOLDS", "scenario #10"]


def test_a_drawn_table_colours_verdicts_and_shows_markup_as_text(monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    lines = table(["claim", "verdict"], [["x #1", "HOLDS"], ["[red]", "REFUTED"]], terminal=True)
    text = "\n".join(lines)
    assert "\x1b[32mHOLDS" in text and "\x1b[31mREFUTED" in text
    assert "[red]" in text  # a record's text is never read as rich markup
    assert all(line == line.rstrip() for line in lines)


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_a_terminal_is_a_tty_whose_term_is_not_dumb(monkeypatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    assert on_terminal(_Stream(True)) is True
    assert on_terminal(_Stream(False)) is False
    monkeypatch.setenv("TERM", "dumb")
    assert on_terminal(_Stream(True)) is False


def test_a_table_to_a_pipe_is_plain(monkeypatch) -> None:
    monkeypatch.setattr("sys.stdout", _Stream(False))
    assert table(["a"], [["b"]]) == ["a", "-", "b"]

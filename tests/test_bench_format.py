"""The bench's table and JSON, on canned numbers: ratios, targets and what each compares."""

from __future__ import annotations

import json

from bench.report import Bench, Measurement, judge, render, slowest_line, table, to_json, write_json
from lab.record import Record

ENVS = ["tf2.15", "tf2.21"]


def canned() -> list:
    return judge(
        Measurement("floor", 10.0, ENVS, 0),
        Measurement("compare-all", 12.0, ENVS, 120),
        Measurement("naive", 150.0, ["tf2.15"], 60),
        Measurement("compare-all[tf2.15]", 10.0, ["tf2.15"], 60),
        Measurement("cached rerun", 2.5, ENVS, 120, note="120 of 120 records from the cache"),
    )


def test_naive_is_divided_by_compare_all_on_the_same_envs() -> None:
    rows = {m.name: m for m in canned()}
    assert rows["naive"].ratio == 15.0 and rows["naive"].ratio_of == "naive / compare-all[tf2.15]"
    assert rows["compare-all"].ratio == 1.2 and rows["compare-all"].met is True
    assert rows["cached rerun"].met is False  # 2.5 s is over the 2 s target, whatever its ratio


def test_the_table_shows_every_row_its_target_and_what_each_ratio_divides() -> None:
    text = table(canned())
    assert text.splitlines()[0].split() == ["measurement", "wall", "s", "ratio", "target", "met", "what"]
    assert "naive                150.0   15.00  >= 10   yes  tf2.15; 60 trials" in text
    assert "cached rerun         2.5     0.21   < 2 s   NO   tf2.15,tf2.21; 120 trials; 120 of 120" in text
    assert "  naive: ratio = naive / compare-all[tf2.15]" in text


def test_the_rendering_ends_with_where_the_time_goes_and_how_busy_the_machine_was() -> None:
    meta = {"cores": 2, "load_before": 0.25, "load_after": 2.0, "others_containers": 1}
    text = render(Bench(canned(), {"tf2.15": "twins 1.0 s in all"}, meta))
    assert text.endswith("slowest in tf2.15: twins 1.0 s in all\n"
                         "machine: 2 cores; load 0.2 before, 2.0 after; 1 other containers at the start\n")


def test_the_json_carries_the_rows_and_the_run_facts(tmp_path) -> None:
    bench = Bench(canned(), {"tf2.15": "twins 1.0 s in all"}, {"cores": 2, "envs": ENVS, "git": {"commit": "abc"}})
    path = write_json(bench, tmp_path)
    data = json.loads(path.read_text())
    assert path.name.startswith("bench-") and data == json.loads(json.dumps(to_json(bench)))
    assert data["cores"] == 2 and [m["name"] for m in data["measurements"]][-1] == "cached rerun"
    assert data["measurements"][1] == {"name": "compare-all", "wall_s": 12.0, "envs": ENVS, "trials": 120,
                                       "ratio": 1.2, "ratio_of": "compare-all / floor", "target": "<= 1.5",
                                       "met": True, "note": ""}


def test_the_slowest_scenarios_add_both_modes() -> None:
    records = [Record("a", "graph", "tf2.15", 1, "ok", duration_s=0.5),
               Record("a", "eager", "tf2.15", 1, "ok", duration_s=1.0),
               Record("b", "graph", "tf2.15", 1, "ok", duration_s=1.2)]
    assert slowest_line(records, top=2) == "twins 2.7 s in all; slowest: a 1.50 s, b 1.20 s"
    assert slowest_line(records, 9.04, top=1) == "finished at 9.0 s; twins 2.7 s in all; slowest: a 1.50 s"


def test_the_cached_local_run_has_its_own_target_and_image_builds_sum_for_tf2() -> None:
    from bench.report import image_rows

    local = Measurement("cached local run", 1.2, ["local"], 2)
    rows = judge(Measurement("floor", 10.0, ENVS, 0), Measurement("compare-all", 12.0, ENVS, 120), None, None, None,
                 local)
    assert rows[-1].target == "< 1.5 s" and rows[-1].met is True
    builds = image_rows([Measurement("image build tf2.15", 100.0, ["tf2.15"], 0),
                         Measurement("image build tf2.21", 150.0, ["tf2.21"], 0),
                         Measurement("image build tf1.15-image", 90.0, ["tf1.15-image"], 0)])
    total = builds[-1]
    assert total.wall_s == 250.0 and total.envs == ["tf2.15", "tf2.21"] and total.met is True
    # Parallel builds: a sum over the target is no proof that `make images` missed it.
    over = image_rows([Measurement("image build tf2.15", 200.0, ["tf2.15"], 0),
                       Measurement("image build tf2.21", 150.0, ["tf2.21"], 0)])[-1]
    assert over.wall_s == 350.0 and over.met is None and "time `make images` itself" in over.note

"""The guest's channel as the host reads it: bounded, total, and a bad line refuses that line only."""

from __future__ import annotations

import json

from lab.channel import MAX_REFUSED, Channel, Lines


def header(job: int, payload: bytes, attempt: int = 1) -> bytes:
    return json.dumps({"job": job, "attempt": attempt, "ended": "exit", "code": 0, "bytes": len(payload)}).encode()


def fed(*lines: bytes, chunk: int = 7) -> Channel:
    channel = Channel()
    data = b"".join(line + b"\n" for line in lines)
    for i in range(0, len(data), chunk):  # in pieces, as a pipe delivers them
        channel.feed(data[i:i + chunk])
    channel.close()
    return channel


def test_facts_starts_and_answers_are_read_in_pieces() -> None:
    channel = fed(b'{"facts": {"tensorflow": "2.21.0"}}', b'{"start": 0, "attempt": 1}', header(0, b'{"a": 1}'),
                  b'{"a": 1}', b'{"done": true}')
    assert channel.facts == {"tensorflow": "2.21.0"} and channel.started == [(0, 1)] and channel.done
    assert [(a.index, a.payload) for a in channel.answers] == [(0, b'{"a": 1}')] and channel.refused == 0


def test_a_deeply_nested_line_refuses_that_line_and_the_next_answer_is_kept() -> None:
    channel = fed(b"[" * 400_000 + b"]" * 400_000, header(1, b"{}"), b"{}")
    assert channel.refused == 1 and [a.index for a in channel.answers] == [1]


def test_a_payload_of_another_length_than_announced_is_refused() -> None:
    channel = fed(header(0, b'{"a": 1}'), b'{"a": 12}', header(1, b"{}"), b"{}")
    assert channel.refused == 1 and [a.index for a in channel.answers] == [1]


def test_a_header_without_its_payload_at_the_end_is_refused() -> None:
    channel = fed(header(0, b"{}"))
    assert channel.refused == 1 and channel.answers == []


def test_a_line_longer_than_the_limit_is_skipped_without_being_kept() -> None:
    lines = Lines(max_line=100)
    out = list(lines.feed(b"x" * 1000)) + list(lines.feed(b"y" * 1000 + b"\nshort\n"))
    assert out == [b"\x00", b"short"] and lines.too_long == 1
    assert len(lines._buffer) == 0


def test_a_stream_past_its_limit_is_ignored_with_one_note() -> None:
    channel = Channel()
    channel._lines = Lines(max_stream=50)
    channel.feed(b'{"start": 0, "attempt": 1}\n' + b"\n" * 100)
    channel.close()
    assert channel.started == [(0, 1)] and any("ignored" in note for note in channel.notes)


def test_after_too_many_refused_lines_the_rest_is_skipped() -> None:
    channel = fed(*([b"garbage"] * (MAX_REFUSED + 50)), header(0, b"{}"), b"{}")
    assert channel.refused == MAX_REFUSED and channel.answers == []
    assert any("skipped" in note for note in channel.notes)


def test_a_session_s_answer_names_its_cell_and_a_cell_that_is_no_count_names_none() -> None:
    cell = json.dumps({"job": 0, "attempt": 1, "cell": 2, "bytes": 2}).encode()
    odd = json.dumps({"job": 0, "attempt": 1, "cell": -1, "bytes": 2}).encode()
    channel = fed(cell, b"{}", odd, b"{}", header(0, b""), b"")
    assert [(a.index, a.cell) for a in channel.answers] == [(0, 2), (0, None), (0, None)]

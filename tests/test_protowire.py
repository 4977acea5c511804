"""The protobuf wire reader: round trips of what an encoder writes, and nothing but SourceError on junk."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import modelcfg_cli.sources.protowire as pw
from modelcfg_cli.errors import SourceError
from tests.tf_fixtures.fixtures import DATA


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def encode(items: list[tuple[int, int, object]]) -> bytes:
    out = bytearray()
    for number, wire_type, value in items:
        out += varint(number << 3 | wire_type)
        if wire_type == pw.VARINT:
            out += varint(value)
        elif wire_type == pw.FIXED64:
            out += value.to_bytes(8, "little")
        elif wire_type == pw.FIXED32:
            out += value.to_bytes(4, "little")
        else:
            out += varint(len(value)) + value
    return bytes(out)


FIELD = st.integers(1, 2**29 - 1).flatmap(
    lambda number: st.one_of(
        st.tuples(st.just(number), st.just(pw.VARINT), st.integers(0, 2**64 - 1)),
        st.tuples(st.just(number), st.just(pw.FIXED64), st.integers(0, 2**64 - 1)),
        st.tuples(st.just(number), st.just(pw.FIXED32), st.integers(0, 2**32 - 1)),
        st.tuples(st.just(number), st.just(pw.LENGTH), st.binary(max_size=40)),
    )
)


@given(st.lists(FIELD, max_size=12))
def test_fields_round_trip(items):
    assert list(pw.fields(encode(items), "x.pb")) == items


@given(st.lists(FIELD, min_size=1, max_size=6), st.data())
def test_truncated_message_is_a_source_error_or_fewer_fields(items, data):
    encoded = encode(items)
    cut = data.draw(st.integers(0, len(encoded) - 1))
    try:
        parsed = list(pw.fields(encoded[:cut], "x.pb"))
    except SourceError as exc:
        assert str(exc).startswith("x.pb: corrupt protobuf")
    else:
        assert parsed == items[: len(parsed)] and len(parsed) < len(items)


@given(st.binary(max_size=200))
def test_random_bytes_raise_only_source_error(data):
    try:
        found = pw.message(data, "junk.pb")
    except SourceError as exc:
        assert exc.where == "junk.pb"
    else:
        assert all(number > 0 for number in found)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\x08" + b"\xff" * 11, "longer than 10 bytes"),
        (b"\x08\x80", "runs past the end"),
        (b"\x00\x01", "field number 0"),
        (b"\x0b", "unsupported wire type 3"),
        (b"\x12\x05ab", "runs past the end"),
        (b"\x0d\x01\x02", "runs past the end"),
    ],
)
def test_corrupt_inputs_name_the_problem(data, fragment):
    with pytest.raises(SourceError, match=fragment):
        pw.message(data, "bad.pb")


def test_helpers_decode_strings_and_signed_values():
    found = pw.message(encode([(1, 0, 2**64 - 1), (2, 2, b"caf\xc3\xa9")]), "x")
    assert pw.signed(pw.first(found, 1)) == -1
    assert pw.text(found, 2, "x") == "café"
    with pytest.raises(SourceError, match="not UTF-8"):
        pw.text(pw.message(encode([(2, 2, b"\xff")]), "x"), 2, "x")


def test_reads_the_keras_metadata_tf_keras_wrote():
    data = (DATA / "mlp_savedmodel" / "model" / "keras_metadata.pb").read_bytes()
    nodes = [pw.message(node, "m") for node in pw.message(data, "m")[1]]
    assert pw.text(nodes[0], 3, "m") == "root"
    assert pw.text(nodes[0], 4, "m") == "_tf_keras_sequential"

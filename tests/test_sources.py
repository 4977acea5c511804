"""sources/: the format is told by content in one place; each reader returns the same config."""

from __future__ import annotations

import io
import shutil

import pytest

from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources import read_source
from modelcfg_cli.sources.hdf5 import is_hdf5
from modelcfg_cli.sources.text import check_size, decode, parse_text

FORMATS = {"keras": "keras-zip", "dir": "keras-dir", "h5": "h5", "json": "json", "yaml": "yaml"}


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_detection_by_content_not_extension(saved_models, tmp_path, kind):
    source = saved_models["branches"][kind]
    disguised = tmp_path / "model.txt"
    if kind == "dir":
        shutil.copytree(source, disguised)
    else:
        shutil.copy(source, disguised)
    raw = read_source(str(disguised))
    assert raw.format == FORMATS[kind]
    assert raw.payload["config"]["name"] == "branches"


def test_keras_zip_metadata_and_h5_attributes(saved_models):
    assert read_source(saved_models["branches"]["keras"]).metadata["keras_version"].startswith("3.")
    h5 = read_source(saved_models["branches"]["h5"]).metadata
    assert h5["keras_version"].startswith("3.") and h5["backend"] == "numpy"


def test_hdf5_signature_after_a_user_block():
    assert is_hdf5(io.BytesIO(b"\0" * 512 + b"\x89HDF\r\n\x1a\n"))
    assert not is_hdf5(io.BytesIO(b"\0" * 600))


@pytest.mark.parametrize(
    ("text", "fmt"), [('{"a": 1}', "json"), ("[1]", "json"), ("a: 1", "yaml"), ('"{\\"a\\": 1}"', "json")]
)
def test_text_is_json_or_yaml(text, fmt):
    value, found = parse_text("x", text)
    assert found == fmt and value in ({"a": 1}, [1])


def test_text_refusals():
    with pytest.raises(SourceError, match="binary content"):
        decode("x", b"\x00\x01\xff\xfe")
    with pytest.raises(SourceError, match="bad byte 0xff"):
        decode("x", "héllo".encode() + b"\xff")
    with pytest.raises(SourceError, match="alias bomb"):
        check_size("x", [[1, 2]] * 3, limit=5)
    with pytest.raises(SourceError, match="neither JSON nor a YAML mapping"):
        parse_text("x", "just words")

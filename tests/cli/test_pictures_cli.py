"""`inspect --format mermaid|dot|svg`, `diff --format markdown` with its graph, `diff --format html`."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from tests.helpers import assert_one_line_error, invoke, run_without_keras

SVG = "{http://www.w3.org/2000/svg}"


def test_inspect_svg_to_a_file_by_extension(saved_models, tmp_path):
    out = tmp_path / "model.svg"
    result = invoke("inspect", saved_models["nested"]["h5"], "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    root = ET.fromstring(out.read_text())
    texts = {element.text for element in root.iter(f"{SVG}text")}
    assert {"features", "enc_dense", "inner_dense", "score", "encoder (Sequential)"} <= texts
    assert not list(tmp_path.glob(".model.svg*"))


@pytest.mark.parametrize(("fmt", "start"), [("mermaid", "flowchart TD\n"), ("dot", 'digraph "branches" {\n')])
def test_inspect_text_pictures_on_stdout(saved_models, fmt, start):
    result = invoke("inspect", saved_models["branches"]["keras"], "--format", fmt)
    assert result.exit_code == 0 and result.stdout.startswith(start)
    assert all(name in result.stdout for name in ("left", "right", "shared", "side", "concat", "head"))


def test_pictures_import_no_keras(saved_models, model_pair):  # noqa: F811
    out = run_without_keras("inspect", saved_models["mobilenet"]["keras"], "--format", "svg")
    assert "<svg" in out and "Conv1" in out
    page = run_without_keras("diff", *model_pair, "--format", "html", exit_code=1)  # they differ
    assert "<svg" in page and "Changes by layer" in page


def test_inspect_output_errors(saved_models, tmp_path):
    source = saved_models["sequential"]["keras"]
    assert_one_line_error(invoke("inspect", source, "-o", tmp_path), "output path is a directory")
    before = open(source, "rb").read()
    result = invoke("inspect", source, "--format", "svg", "-o", source)
    assert_one_line_error(result, "would overwrite the input")
    assert open(source, "rb").read() == before
    assert_one_line_error(invoke("inspect", source, "-o", tmp_path / "no" / "x.svg"), "does not exist")
    assert_one_line_error(invoke("inspect", source, "-o", tmp_path / "x.txt"), "-o needs --format")
    assert not list(tmp_path.iterdir())


def test_diff_markdown_has_a_mermaid_graph_of_the_changes(model_pair):  # noqa: F811
    result = invoke("diff", *model_pair, "--format", "markdown")
    assert result.exit_code == 1
    block = re.search(r"```mermaid\n(.*?)```", result.stdout, re.S)
    assert block, result.stdout
    chart = block.group(1)
    assert chart.startswith("flowchart TD\n")
    for kind in ("added", "removed", "changed", "rewired", "context"):
        assert re.search(rf"^  classDef {kind} ", chart, re.M), kind
    classes = dict(re.findall(r"^  class ([\w,]+) (\w+)$", chart, re.M))
    labels = dict(re.findall(r'^\s*(n\d+)\["([^"]*)<br/>', chart, re.M))
    marked = {labels[node]: kind for nodes, kind in classes.items() for node in nodes.split(",")}
    assert marked["bn"] == "removed" and marked["side"] == "added" and marked["merge"] == "added"
    assert marked["drop"] == "rewired" and marked["d2"] == "changed" and marked["features"] == "context"
    assert "linkStyle" in chart
    assert result.stdout.index("```mermaid") < result.stdout.index("#### `bn`")


def test_diff_no_graph_and_equal_models(model_pair):  # noqa: F811
    result = invoke("diff", *model_pair, "--format", "markdown", "--no-graph")
    assert result.exit_code == 1 and "```mermaid" not in result.stdout and "#### `bn`" in result.stdout
    equal = invoke("diff", model_pair[0], model_pair[0], "--format", "markdown")
    assert equal.exit_code == 0 and "mermaid" not in equal.stdout
    stat = invoke("diff", *model_pair, "--format", "markdown", "--stat")
    assert "mermaid" not in stat.stdout
    page = invoke("diff", *model_pair, "--format", "html", "--no-graph")
    assert "<svg" not in page.stdout and "<table" in page.stdout


class _Page(HTMLParser):
    """Collects tags and attributes, and the text of headings."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_heading = self._in_heading or tag in ("h1", "h2", "h3")

    def handle_data(self, data):
        if self._in_heading:
            self.headings.append(data.strip())

    def handle_endtag(self, tag):
        self._in_heading = self._in_heading and tag not in ("h1", "h2", "h3")


def test_diff_html_is_one_self_contained_page(model_pair, tmp_path):  # noqa: F811
    out = tmp_path / "diff.html"
    result = invoke("diff", *model_pair, "--format", "html", "-o", out)
    assert result.exit_code == 1 and result.stdout == ""
    text = out.read_text()
    page = _Page()
    page.feed(text)
    tags = [tag for tag, _ in page.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags and "iframe" not in tags
    for _, attrs in page.tags:
        for key in ("src", "href", "xlink:href", "action"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(key) or ""), attrs
    assert "@import" not in text and "url(http" not in text
    assert tags.count("svg") == 1 and "style" in tags
    assert {"d2", "bn", "side", "merge", "drop", "Changes by layer"} <= set(page.headings)
    svg = text[text.index("<svg") : text.index("</svg>") + 6]
    root = ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
    fills = {
        element.find(f"{SVG}title").text.split(" ")[0]: element.find(f"{SVG}rect").get("fill")
        for element in root.iter(f"{SVG}g")
    }
    assert fills["bn"] == "#ffebe9" and fills["side"] == "#dafbe1" and fills["d2"] == "#fff8c5"


def test_diff_output_errors(model_pair, tmp_path):  # noqa: F811
    assert_one_line_error(invoke("diff", *model_pair, "--format", "html", "-o", tmp_path), "is a directory")
    result = invoke("diff", *model_pair, "--format", "html", "-o", model_pair[1])
    assert_one_line_error(result, "would overwrite the input")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_html_page_loads_in_headless_chromium(model_pair, tmp_path):  # noqa: F811
    page = tmp_path / "diff.html"
    invoke("diff", *model_pair, "--format", "html", "-o", page)
    browser = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    dom = subprocess.run([*browser, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<svg" in dom.stdout and "Changes by layer" in dom.stdout and "merge" in dom.stdout
    shot = tmp_path / "diff.png"
    subprocess.run(
        [*browser, f"--screenshot={shot}", "--window-size=1200,900", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert png_size(shot.read_bytes()) == (1200, 900)


def test_output_formats_from_extensions_and_flags(saved_models, model_pair, tmp_path):  # noqa: F811
    source = saved_models["rnn"]["keras"]
    invoke("inspect", source, "-o", tmp_path / "g.mmd")
    invoke("inspect", source, "-o", tmp_path / "g.gv")
    invoke("inspect", source, "--format", "json", "-o", tmp_path / "s.json")
    assert (tmp_path / "g.mmd").read_text().startswith("flowchart TD\n")
    assert (tmp_path / "g.gv").read_text().startswith('digraph "tagger" {\n')
    assert '"layer_count": 5' in (tmp_path / "s.json").read_text()
    result = invoke("diff", *model_pair, "--format", "markdown", "-o", tmp_path / "review.md")
    assert result.exit_code == 1 and result.stdout == ""
    assert "```mermaid" in (tmp_path / "review.md").read_text()
    invoke("diff", *model_pair, "-o", tmp_path / "review.txt")
    assert (tmp_path / "review.txt").read_text().splitlines()[0:2] == ["d1", "  renamed: d1 -> first"]

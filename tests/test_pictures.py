"""Mermaid, DOT and SVG renderings of the layer graph: syntax, completeness and escaping."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from modelcfg_cli.pictures.dot import render_dot
from modelcfg_cli.pictures.layergraph import build_graph
from modelcfg_cli.pictures.mermaid import render_mermaid
from modelcfg_cli.pictures.svg import render_svg
from modelcfg_cli.sources import read_document

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = [
    '<script>alert("x")</script>',
    "quote\"single'back\\slash",
    "line\nbreak\ttab",
    "```\nend\n```",
    "end",
    "ctl\x01\x7fchar",
    "#quot;]]>--> n0",
    "{braces};[brackets]",
    "ünïcødé → 名前",
]


@pytest.fixture(scope="module")
def hostile_path(tmp_path_factory):
    """A Sequential model whose layer names are built to break out of every output format."""
    layers = [{"class_name": "InputLayer", "config": {"name": HOSTILE[0], "batch_shape": [None, 4]}}]
    layers += [{"class_name": "Dense", "config": {"name": name, "units": 2}} for name in HOSTILE[1:]]
    inner = {"class_name": "Sequential", "config": {"name": 'inner"<b>', "layers": layers[1:3]}}
    model = {"class_name": "Sequential", "config": {"name": "hostile", "layers": [*layers, inner]}}
    path = tmp_path_factory.mktemp("hostile") / "hostile.json"
    path.write_text(json.dumps(model))
    return str(path)


def flat(name: str) -> str:
    return re.sub(r"\s+", " ", name)


def mermaid_names(text: str) -> list[str]:
    """The node labels' names, entities decoded."""
    names = []
    for match in re.finditer(r'^\s*n\d+\["(.*)"\]$', text, re.M):
        name = match.group(1).split("<br/>")[0]
        names.append(re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), name))
    return names


def check_mermaid(text: str) -> None:
    """Every line is a known statement; subgraphs close; labels hold no quote, bracket or backtick."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    depth = 0
    for line in lines[1:]:
        body = line.strip()
        if body.startswith("subgraph "):
            depth += 1
            assert re.fullmatch(r'subgraph g\d+\["[^"`\[\]<>{}]*"\]', body), body
        elif body == "end":
            depth -= 1
            assert depth >= 0
        else:
            assert re.fullmatch(
                r'n\d+\["[^"`\[\]<>{}]*<br/>[^"`\[\]<>{}]*"\]|n\d+ --> n\d+|classDef \w+ [^;]+|'
                r"class [\w,]+ \w+|linkStyle \d+ \S+",
                body,
            ), body
    assert depth == 0


def dot_statements(text: str) -> list[str]:
    """Tokenize DOT: quoted strings (escapes honoured) and bare words; braces must balance."""
    tokens = re.findall(r'"(?:\\.|[^"\\])*"|[{}\[\];=,]|->|[^\s{}\[\];=,"]+', text)
    assert "".join(tokens).replace(" ", "") == re.sub(r"\s+", "", text), "untokenizable DOT"
    depth = 0
    for token in tokens:
        depth += token == "{"
        depth -= token == "}"
        assert depth >= 0
    assert depth == 0
    return tokens


def dot_label_names(text: str) -> list[str]:
    names = []
    for match in re.finditer(r'^\s*n\d+ \[label="((?:\\.|[^"\\])*)"\];$', text, re.M):
        label = match.group(1)
        name = label[: label.rindex("\\n")]
        names.append(re.sub(r"\\(.)", r"\1", name))
    return names


@pytest.mark.parametrize("name", ["sequential", "branches", "nested", "rnn", "mobilenet"])
def test_mermaid_is_well_formed_and_has_every_layer(saved_models, name):
    graph = build_graph(read_document(saved_models[name]["keras"]))
    text = render_mermaid(graph)
    check_mermaid(text)
    assert sorted(mermaid_names(text)) == sorted(node.name for node in graph.nodes)
    assert text.count(" --> ") == len(graph.edges)
    assert text.count("subgraph ") == len(graph.groups)


@pytest.mark.parametrize("name", ["branches", "nested", "mobilenet"])
def test_dot_is_well_formed_and_has_every_layer(saved_models, name):
    graph = build_graph(read_document(saved_models[name]["keras"]))
    text = render_dot(graph)
    tokens = dot_statements(text)
    assert tokens[0] == "digraph" and tokens.count("->") == len(graph.edges)
    assert sorted(dot_label_names(text)) == sorted(node.name for node in graph.nodes)
    assert text.count("subgraph cluster_") == len(graph.groups)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_graphviz_accepts_the_dot(saved_models, hostile_path):
    for path in (saved_models["nested"]["keras"], hostile_path):
        text = render_dot(build_graph(read_document(path)))
        out = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        ET.fromstring(out.stdout.split("?>", 1)[-1].split("-->", 1)[-1])


@pytest.mark.parametrize("name", ["nested", "rnn", "mobilenet"])
def test_svg_is_xml_and_names_every_layer(saved_models, name):
    graph = build_graph(read_document(saved_models[name]["keras"]))
    root = ET.fromstring(render_svg(graph))
    assert root.tag == f"{SVG}svg"
    texts = [element.text for element in root.iter(f"{SVG}text")]
    for node in graph.nodes:
        assert node.name in texts and node.kind in texts
    titles = [element.text for element in root.iter(f"{SVG}title")]
    assert {group.path for group in graph.groups} <= {title.split(" (")[0] for title in titles}
    assert len(list(root.iter(f"{SVG}polyline"))) == len(graph.edges)
    assert not [element for element in root.iter() if "href" in " ".join(element.attrib)]


def test_hostile_names_are_escaped_everywhere(hostile_path):
    graph = build_graph(read_document(hostile_path))
    assert [node.name for node in graph.nodes] == HOSTILE + HOSTILE[1:3]
    mermaid = render_mermaid(graph)
    check_mermaid(mermaid)
    assert "```" not in mermaid and "<script" not in mermaid
    assert sorted(mermaid_names(mermaid)) == sorted(flat(name) for name in HOSTILE + HOSTILE[1:3])
    dot = render_dot(graph)
    dot_statements(dot)
    assert sorted(flat(n) for n in dot_label_names(dot)) == sorted(
        flat(re.sub(r"[\x00-\x1f\x7f]+", " ", name)) for name in HOSTILE + HOSTILE[1:3]
    )
    svg = render_svg(graph)
    root = ET.fromstring(svg)
    assert "<script" not in svg and root.find(f".//{SVG}script") is None
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert '<script>alert("x")</script>' in texts
    assert "line break tab" in texts and "ctl\ufffd\ufffdchar" in texts
    assert 'inner"<b> (Sequential)' in texts

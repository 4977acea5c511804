"""The pickle reader of `scan`: every protocol found by its opcodes, the callables a pickle imports
(GLOBAL, INST, STACK_GLOBAL through the memo) and which are dangerous, without unpickling; ordinary
binary and text files are not pickles. The tricky pickles are those of modelscan's own test suite."""

from __future__ import annotations

import io
import os
import pickle
import zipfile

import h5py
import numpy as np
import pytest

from modelcfg_cli.scan.pickles import NotAPickle, analyse, is_pickle_head
from tests.scan_probes import SystemCall, protocol0_subprocess


class Eval:
    def __reduce__(self):
        return eval, ("print(1)",)


def names(data: bytes) -> list[str]:
    return [str(item) for item in analyse(data).imports]


def dangerous(data: bytes) -> list[str]:
    return [str(item) for item in analyse(data).dangerous]


@pytest.mark.parametrize("protocol", range(6))
def test_every_protocol_is_found_and_read(protocol):
    data = pickle.dumps(SystemCall(), protocol=protocol)
    assert is_pickle_head(data[:4096])
    report = analyse(data)
    assert [str(item) for item in report.called] == ["posix.system"] == dangerous(data)
    builtin = "__builtin__" if protocol < 3 else "builtins"
    assert dangerous(pickle.dumps(Eval(), protocol=protocol)) == [f"{builtin}.eval"]


def test_plain_data_imports_nothing_and_classes_are_not_dangerous():
    assert names(pickle.dumps({"a": [1, 2.5, "x"]}, protocol=2)) == []
    data = pickle.dumps(np.zeros(2), protocol=4)
    assert "numpy.ndarray" in names(data) and dangerous(data) == []


def test_stack_global_through_the_memo():
    """modelscan's malicious14: the module and name pushed, memoized, popped, then fetched with GET."""
    data = b"".join(
        [
            b"Vos\n",
            b"p2\n0",
            b"Vsystem\n",
            b"p3\n0",
            b"Vtorch\n",
            b"p0\n0",
            b"VLongStorage\n",
            b"p1\n0",
            b"g2\n",
            b"g3\n",
            pickle.STACK_GLOBAL,
            b"(Vcat flag.txt\nt",
            pickle.REDUCE,
            pickle.STOP,
            b"\n\n\t\t",
        ]
    )
    assert names(data) == ["os.system"] and dangerous(data) == ["os.system"]


def test_sour_pickle_protocol_0():
    """modelscan's malicious0 (from the Sour Pickles talk): globals, compile, eval, getattr, apply."""
    data = (
        b"c__builtin__\nglobals\n(tRp100\n0c__builtin__\ncompile\n(S'fl=open(\"/etc/passwd\");x=fl.read();'"
        b"\nS''\nS'exec'\ntRp101\n0c__builtin__\neval\n(g101\ng100\ntRp102\n0c__builtin__\ngetattr\n("
        b"c__builtin__\ndict\nS'get'\ntRp103\n0c__builtin__\napply\n(g103\n(g100\nS'x'\nltRp104\n0g104\n."
    )
    expected = ["globals", "compile", "eval", "getattr", "apply"]
    assert dangerous(data) == [f"__builtin__.{name}" for name in expected]
    assert "__builtin__.dict" in names(data)


def test_inst_nested_loads_attribute_names_and_concatenated_pickles():
    assert dangerous(b"(S'print(1)'\ni__builtin__\nexec\n.") == ["__builtin__.exec"]
    inner = pickle.dumps(SystemCall(), protocol=2)
    nested = b"\x80\x05cpickle\nloads\nC" + bytes([len(inner)]) + inner + b"\x85R0N."
    assert dangerous(nested) == ["pickle.loads"]
    assert dangerous(b"\x80\x05cbuiltins\neval.__call__\nV1\n\x85R.") == ["builtins.eval.__call__"]
    assert dangerous(pickle.dumps([1]) + pickle.dumps(SystemCall())) == ["posix.system"]
    assert dangerous(protocol0_subprocess()) == ["subprocess.check_output"]


def test_ordinary_files_are_not_pickles(tmp_path):
    h5 = tmp_path / "w.h5"
    with h5py.File(h5, "w") as handle:
        handle["k"] = np.arange(100.0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    npy = io.BytesIO()
    np.save(npy, np.arange(10))
    heads = [h5.read_bytes(), buffer.getvalue(), npy.getvalue(), b"hello.", b"a\nb\n", b'{"a": 1}']
    heads += [b"", os.urandom(4096), b"This is a vocabulary file.\n", "élan\n".encode()]
    assert [is_pickle_head(head[:4096]) for head in heads] == [False] * len(heads)
    with pytest.raises(NotAPickle):
        analyse(b"hello.")


def test_memo_read_before_write_and_unbalanced_stacks_are_not_pickles():
    assert not is_pickle_head(b"g1\n.")
    assert not is_pickle_head(b"NN.")
    assert not is_pickle_head(b"t.")

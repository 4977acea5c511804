"""Pickles read without unpickling: found by their opcodes, and the callables they would import listed.

`pickletools.genops` walks the opcodes; a small stack machine (each opcode's documented stack effect)
checks that the bytes are a well-formed pickle and resolves what `GLOBAL`, `INST` and `STACK_GLOBAL`
(whose module and name are strings pushed before it, directly or through the memo) import, and which of
those `REDUCE`, `OBJ`, `NEWOBJ` or `INST` call. Protocol 0 and 1 pickles have no header, so a file is a
pickle when its opcodes parse to a `STOP` with one object on the stack: ordinary binary files (HDF5,
zip, numpy data) fail within a few bytes. Nothing is ever imported or unpickled.
"""

from __future__ import annotations

import pickletools
from dataclasses import dataclass, field

MAX_PICKLE_BYTES = 64 * 1024 * 1024
MAX_PICKLES = 64  # pickles concatenated in one stream (torch's legacy format writes five)
SNIFF_BYTES = 4096
MARK = object()
STRING_OPS = frozenset(
    {
        "STRING",
        "BINSTRING",
        "SHORT_BINSTRING",
        "UNICODE",
        "BINUNICODE",
        "SHORT_BINUNICODE",
        "BINUNICODE8",
    }
)
PUT_OPS = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})
GET_OPS = frozenset({"GET", "BINGET", "LONG_BINGET"})
# Modules every name of which runs commands, reaches the network or the file system, or loads code.
DANGEROUS_MODULES = frozenset(
    {
        "os",
        "posix",
        "nt",
        "subprocess",
        "_posixsubprocess",
        "pty",
        "runpy",
        "socket",
        "shutil",
        "webbrowser",
        "sys",
        "ctypes",
        "importlib",
        "pickle",
        "_pickle",
        "marshal",
        "code",
        "codeop",
        "pdb",
        "bdb",
        "timeit",
        "commands",
        "popen2",
        "platform",
        "requests",
        "urllib",
        "urllib2",
        "httplib",
        "http",
        "aiohttp",
        "telnetlib",
        "ftplib",
        "smtplib",
        "asyncio",
        "multiprocessing",
        "dill",
    }
)
DANGEROUS_BUILTINS = frozenset(
    {
        "eval",
        "exec",
        "execfile",
        "compile",
        "__import__",
        "getattr",
        "setattr",
        "delattr",
        "open",
        "apply",
        "input",
        "breakpoint",
        "globals",
        "locals",
        "vars",
    }
)
BUILTIN_MODULES = frozenset({"builtins", "__builtin__", "__builtins__"})


class NotAPickle(ValueError):
    """The bytes are not a well-formed pickle."""


@dataclass(frozen=True)
class Imported:
    """A callable or class the pickle imports (`module.name`) and whether the pickle calls it."""

    module: str
    name: str

    def __str__(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass
class PickleReport:
    """What a pickle stream imports (in order, once each), which of them it calls, and its protocol."""

    protocol: int = 0
    imports: list[Imported] = field(default_factory=list)
    called: set[Imported] = field(default_factory=set)
    count: int = 0  # pickles in the stream
    truncated: bool = False

    @property
    def dangerous(self) -> list[Imported]:
        return [item for item in self.imports if is_dangerous(item)]


def is_dangerous(item: Imported) -> bool:
    """True for callables that run commands, touch files or the network, or load more code."""
    root = item.module.split(".", 1)[0]
    head = item.name.split(".", 1)[0]
    if item.module in BUILTIN_MODULES:
        return head in DANGEROUS_BUILTINS
    return root in DANGEROUS_MODULES


def is_pickle_head(head: bytes) -> bool:
    """True when `head` (a file's first bytes) starts a pickle: a protocol 2-5 header, or protocol 0/1
    opcodes that parse without error up to the end of `head` or to a `STOP`."""
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return True
    if not head:
        return False
    try:
        _run(head, stop_at_end=True)
    except NotAPickle:
        return False
    return True


def analyse(data: bytes) -> PickleReport:
    """The imports of every pickle concatenated in `data`; `NotAPickle` when the first one is not one."""
    report = PickleReport(truncated=len(data) > MAX_PICKLE_BYTES)
    data = data[:MAX_PICKLE_BYTES]
    offset = 0
    while offset < len(data) and report.count < MAX_PICKLES:
        try:
            end = _run(data[offset:], report=report)
        except NotAPickle:
            if report.count == 0:
                raise
            break  # trailing bytes after the last pickle
        report.count += 1
        offset += end
    return report


def _run(data: bytes, *, report: PickleReport | None = None, stop_at_end: bool = False) -> int:
    """Walk one pickle; the offset just past its STOP. With `stop_at_end`, running out of bytes before
    the STOP is fine (a file's head is being sniffed)."""
    machine = _Machine(report if report is not None else PickleReport())
    try:
        for opcode, arg, position in pickletools.genops(data):
            machine.step(opcode, arg)
            if opcode.name == "STOP":
                if len(machine.stack) != 1:
                    raise NotAPickle("STOP with a stack that does not hold one object")
                return (position or 0) + 1  # positions are known: `data` is bytes
    except NotAPickle:
        raise
    except Exception as exc:  # genops raises ValueError (bad opcode) or others on truncated arguments
        if stop_at_end and machine.steps >= 2 and _ran_out(exc):
            return len(data)
        raise NotAPickle(str(exc)) from exc
    if stop_at_end and machine.steps >= 2:
        return len(data)
    raise NotAPickle("no STOP opcode")


def _ran_out(exc: Exception) -> bool:
    text = str(exc)
    return "exhausted" in text or "not enough data" in text or "no newline" in text


class _Machine:
    """The pickle virtual machine's stack and memo, with placeholders for everything but strings and
    imported globals."""

    def __init__(self, report: PickleReport):
        self.report = report
        self.stack: list = []
        self.memo: dict = {}
        self.steps = 0

    def step(self, opcode, arg) -> None:
        self.steps += 1
        name = opcode.name
        if name == "PROTO":
            self.report.protocol = max(self.report.protocol, int(arg))
        if name in GET_OPS:
            if arg not in self.memo:
                raise NotAPickle(f"memo key {arg} read before it is written")
            self.stack.append(self.memo[arg])
            return
        if name in PUT_OPS or name == "MEMOIZE":
            if not self.stack or self.stack[-1] is MARK:
                raise NotAPickle("memo write with an empty stack")
            self.memo[len(self.memo) if name == "MEMOIZE" else arg] = self.stack[-1]
            return
        popped = self._pop(opcode)
        self._effect(name, arg, popped)

    def _pop(self, opcode) -> list:
        before = opcode.stack_before
        popped: list = []
        if pickletools.stackslice in before:
            while self.stack and self.stack[-1] is not MARK:
                popped.insert(0, self.stack.pop())
            if not self.stack:
                raise NotAPickle(f"{opcode.name} without a MARK")
            self.stack.pop()
            before = before[: before.index(pickletools.markobject)]
        for _ in before:
            if not self.stack or self.stack[-1] is MARK:
                raise NotAPickle(f"{opcode.name} on a stack that is too short")
            popped.insert(0, self.stack.pop())
        return popped

    def _effect(self, name: str, arg, popped: list) -> None:
        if name == "MARK":
            self.stack.append(MARK)
        elif name in STRING_OPS:
            self.stack.append(arg if isinstance(arg, str) else _text(arg))
        elif name in ("GLOBAL", "INST"):
            module, _, attr = str(arg).partition(" ")
            item = self._import(module, attr)
            if name == "INST":
                self.report.called.add(item)
            self.stack.append(item if name == "GLOBAL" else None)
        elif name == "STACK_GLOBAL":
            module, attr = popped
            self.stack.append(self._import(_name(module), _name(attr)))
        elif name in ("REDUCE", "NEWOBJ", "NEWOBJ_EX", "OBJ"):
            self._call(popped[0] if popped else None)
            self.stack.append(None)
        elif name == "STOP":
            self.stack.append(None)  # keeps the one-object check meaningful after the pop
        else:
            self.stack.extend([None] * _pushes(name))

    def _import(self, module: str, attr: str) -> Imported:
        item = Imported(module, attr)
        if item not in self.report.imports:
            self.report.imports.append(item)
        return item

    def _call(self, target) -> None:
        if isinstance(target, Imported):
            self.report.called.add(target)


def _pushes(name: str) -> int:
    return len(pickletools.code2op[_CODES[name]].stack_after)  # type: ignore[attr-defined]  # not in typeshed


_CODES = {op.name: op.code for op in pickletools.opcodes}


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _name(value: object) -> str:
    """A STACK_GLOBAL operand: the string pushed for it, or `?` when it was computed."""
    return value if isinstance(value, str) else "?"


def describe(report: PickleReport) -> str:
    """`imports os.system (dangerous), collections.OrderedDict` or `imports nothing`."""
    if not report.imports:
        return "imports nothing (plain data)"
    shown = [f"{item} (dangerous)" if is_dangerous(item) else str(item) for item in report.imports[:8]]
    more = f", and {len(report.imports) - 8} more" if len(report.imports) > 8 else ""
    return "imports " + ", ".join(shown) + more

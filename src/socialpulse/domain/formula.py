"""A tiny arithmetic language for metric formulas, e.g. ``(followers - start) / start``.

Formulas are data in the catalogue; parsing them here (rather than eval-ing Python) keeps the
catalogue safe to extend and lets every engine compile the same tree. Grammar::

    expr   := term (('+' | '-') term)*
    term   := factor (('*' | '/') factor)*
    factor := NUMBER | NAME | '(' expr ')' | '-' factor
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .errors import InvalidInput


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


Node = Num | Ref | Neg | BinOp

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([a-z_][a-z0-9_]*)|(.))")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # only trailing whitespace is left
            break
        num, name, sym = m.groups()
        start = m.start(m.lastindex or 0)
        if num is not None:
            out.append(("num", num, start))
        elif name is not None:
            out.append(("name", name, start))
        elif sym is not None:
            if sym not in "+-*/()":
                raise InvalidInput(f"formula {text!r}: unexpected {sym!r} at position {start + 1}")
            out.append(("sym", sym, start))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def _peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _fail(self, what: str) -> InvalidInput:
        tok = self._peek()
        where = f"position {tok[2] + 1}" if tok else "the end"
        return InvalidInput(f"formula {self.text!r}: {what} at {where}")

    def parse(self) -> Node:
        node = self._expr()
        if self._peek() is not None:
            raise self._fail("unexpected token")
        return node

    def _expr(self) -> Node:
        node = self._term()
        while (tok := self._peek()) and tok[1] in "+-" and tok[0] == "sym":
            self.i += 1
            node = BinOp(tok[1], node, self._term())
        return node

    def _term(self) -> Node:
        node = self._factor()
        while (tok := self._peek()) and tok[1] in "*/" and tok[0] == "sym":
            self.i += 1
            node = BinOp(tok[1], node, self._factor())
        return node

    def _factor(self) -> Node:
        tok = self._peek()
        if tok is None:
            raise self._fail("expected a number, a name or '('")
        kind, value, _ = tok
        self.i += 1
        if kind == "num":
            return Num(float(value))
        if kind == "name":
            return Ref(value)
        if value == "(":
            node = self._expr()
            close = self._peek()
            if close is None or close[1] != ")":
                raise self._fail("expected ')'")
            self.i += 1
            return node
        if value == "-":
            return Neg(self._factor())
        self.i -= 1
        raise self._fail("expected a number, a name or '('")


def parse(text: str) -> Node:
    """Parse a formula; errors name the position."""
    if not text.strip():
        raise InvalidInput("formula is empty")
    return _Parser(text).parse()


def refs(node: Node) -> list[str]:
    """Names referenced, in order of first appearance."""
    seen: list[str] = []

    def walk(n: Node) -> None:
        if isinstance(n, Ref):
            if n.name not in seen:
                seen.append(n.name)
        elif isinstance(n, Neg):
            walk(n.operand)
        elif isinstance(n, BinOp):
            walk(n.left)
            walk(n.right)

    walk(node)
    return seen


_PREC = {"+": 1, "-": 1, "*": 2, "/": 2}


def render(node: Node, names: Callable[[str], str] | None = None) -> str:
    """Render back to text with minimal parentheses (used by `explain`)."""
    label = names or (lambda s: s)

    def go(n: Node, parent: int, right: bool) -> str:
        if isinstance(n, Num):
            return f"{n.value:g}"
        if isinstance(n, Ref):
            return label(n.name)
        if isinstance(n, Neg):
            return "-" + go(n.operand, 3, False)
        prec = _PREC[n.op]
        text = f"{go(n.left, prec, False)} {n.op} {go(n.right, prec, True)}"
        if prec < parent or (right and prec == parent):
            return f"({text})"
        return text

    return go(node, 0, False)


T = TypeVar("T")


def fold(
    node: Node,
    num: Callable[[float], T],
    ref: Callable[[str], T],
    neg: Callable[[T], T],
    binop: Callable[[str, T, T], T],
) -> T:
    """Compile a formula into any target (Python floats, Ibis expressions, SQL text)."""
    if isinstance(node, Num):
        return num(node.value)
    if isinstance(node, Ref):
        return ref(node.name)
    if isinstance(node, Neg):
        return neg(fold(node.operand, num, ref, neg, binop))
    return binop(
        node.op,
        fold(node.left, num, ref, neg, binop),
        fold(node.right, num, ref, neg, binop),
    )


def evaluate(node: Node, values: dict[str, float | None]) -> float | None:
    """Evaluate with Python floats; None propagates and division by zero gives None.

    Used for hand checks, goal maths and the reference implementation in tests.
    """

    def binop(op: str, a: float | None, b: float | None) -> float | None:
        if a is None or b is None:
            return None
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        return None if b == 0 else a / b

    return fold(
        node,
        lambda v: v,
        lambda name: values.get(name),
        lambda a: None if a is None else -a,
        binop,
    )

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialpulse.domain import formula as fx
from socialpulse.domain.errors import InvalidInput


def test_precedence_and_refs() -> None:
    node = fx.parse("(followers - followers_start) / followers_start")
    assert fx.refs(node) == ["followers", "followers_start"]
    assert fx.evaluate(node, {"followers": 110, "followers_start": 100}) == pytest.approx(0.1)
    assert fx.evaluate(fx.parse("a + b * c"), {"a": 1, "b": 2, "c": 3}) == 7
    assert fx.evaluate(fx.parse("a / b / c"), {"a": 8, "b": 2, "c": 2}) == 2
    assert fx.evaluate(fx.parse("a - b - c"), {"a": 8, "b": 2, "c": 2}) == 4
    assert fx.evaluate(fx.parse("-a * 2"), {"a": 3}) == -6


def test_division_by_zero_and_missing_give_none() -> None:
    assert fx.evaluate(fx.parse("a / b"), {"a": 1, "b": 0}) is None
    assert fx.evaluate(fx.parse("a + b"), {"a": 1}) is None


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a +", "the end"),
        ("a $ b", "position 3"),
        ("(a + b", "the end"),
        ("a b", "position 3"),
        ("", "empty"),
    ],
)
def test_errors_name_the_position(text: str, where: str) -> None:
    with pytest.raises(InvalidInput, match=where):
        fx.parse(text)


names = st.sampled_from(["a", "b", "c", "shares", "followers"])


def trees(depth: int = 3) -> st.SearchStrategy[fx.Node]:
    leaf = st.one_of(names.map(fx.Ref), st.integers(0, 1000).map(lambda n: fx.Num(float(n))))
    return st.recursive(
        leaf,
        lambda kids: st.one_of(
            st.tuples(st.sampled_from("+-*/"), kids, kids).map(lambda t: fx.BinOp(*t)),
            kids.map(fx.Neg),
        ),
        max_leaves=8,
    )


@given(trees(), st.dictionaries(names, st.floats(-1e6, 1e6, allow_nan=False), min_size=5))
def test_render_then_parse_is_the_same_computation(tree: fx.Node, values: dict) -> None:
    again = fx.parse(fx.render(tree))
    a, b = fx.evaluate(tree, values), fx.evaluate(again, values)
    if a is None:
        assert b is None
    else:
        assert b == pytest.approx(a, rel=1e-9, abs=1e-9)

"""guardrail.record: the dataclass stand-in on the hot path behaves like one where we rely on it."""

from __future__ import annotations

import pickle

import pytest

from guardrail.model import CommandModel, Finding, SimpleCommand
from guardrail.record import factory, record, replace


@record(frozen=True)
class Point:
    x: int
    y: int = 0
    tags: tuple = ()


@record
class Bag:
    items: list = factory(list)


def test_init_defaults_positional_and_keyword() -> None:
    assert Point(1) == Point(x=1, y=0)
    assert Point(1, 2).y == 2 and Point(1, tags=("a",)).tags == ("a",)


@pytest.mark.parametrize("make", [lambda: Point(), lambda: Point(1, 2, (), 4), lambda: Point(1, z=3),
                                  lambda: Point(1, x=2)])
def test_bad_arguments_raise(make) -> None:  # noqa: ANN001
    with pytest.raises(TypeError):
        make()


def test_frozen_and_hashable() -> None:
    p = Point(1)
    with pytest.raises(AttributeError):
        p.x = 2  # type: ignore[misc]
    assert hash(p) == hash(Point(1)) and {p, Point(1)} == {p}


def test_factories_are_fresh_and_mutable_records_unhashable() -> None:
    a, b = Bag(), Bag()
    a.items.append(1)
    assert b.items == [] and a != b
    with pytest.raises(TypeError):
        hash(a)


def test_slots_no_dict() -> None:
    assert not hasattr(Point(1), "__dict__")


@pytest.mark.parametrize("obj", [Point(1, 2, ("t",)), SimpleCommand(("rm", "-rf", "/"), via=("sudo",)),
                                 CommandModel("ls", [SimpleCommand(("ls",))]),
                                 Finding("p/r", "files.delete", "deny", "high", "m")])
def test_pickle_round_trip(obj: object) -> None:
    assert pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)) == obj


def test_replace_and_repr() -> None:
    p = replace(Point(1), y=5)
    assert p == Point(1, 5) and repr(p) == "Point(x=1, y=5, tags=())"
    with pytest.raises(TypeError):
        replace(p, nope=1)

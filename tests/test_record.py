"""guardrail.base.record: the dataclass stand-in on the hot path behaves like one where we rely on it."""

from __future__ import annotations

import pickle

import pytest

from guardrail.model import CommandModel, Finding, SimpleCommand
from guardrail.base.record import factory, record, replace


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


@record(frozen=True)
class Spec:
    a: int
    b: tuple = ()
    items: list = factory(list)
    __derived__ = ("double",)

    def __post_init__(self) -> None:
        object.__setattr__(self, "double", self.a * 2)


@record
class LateRequired:
    a: int = 0
    b: int = 1


def _fresh_spec_instances(n: int) -> list[Spec]:
    return [Spec(i) for i in range(n)]


def test_records_switch_to_a_compiled_init_after_the_threshold_and_behave_the_same() -> None:
    from guardrail.base.record import SPECIALISE_AFTER

    generic_init = Spec.__init__
    made = _fresh_spec_instances(SPECIALISE_AFTER + 2)
    assert Spec.__init__ is not generic_init and Spec.__init__.__code__.co_filename == "<record Spec>"
    for obj in made:  # built by either __init__, the same records
        assert obj == Spec(obj.a) and obj.double == obj.a * 2 and type(obj) is Spec
    s1, s2 = Spec(1, ("x",)), Spec(2)
    assert (s1.a, s1.b, s1.items, s1.double) == (1, ("x",), [], 2) and s1.items is not s2.items
    with pytest.raises(AttributeError):
        s1.a = 3  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(s1)) == s1 and hash(Spec(1, items=())) == hash(Spec(1, items=()))
    for bad in (lambda: Spec(), lambda: Spec(1, (), [], 4), lambda: Spec(1, z=3), lambda: Spec(1, a=2)):
        with pytest.raises(TypeError):
            bad()


def test_mutable_records_specialise_too() -> None:
    from guardrail.base.record import SPECIALISE_AFTER

    bags = [Bag() for _ in range(SPECIALISE_AFTER + 2)]
    assert Bag.__init__.__code__.co_filename == "<record Bag>"
    bags[-1].items.append(1)
    assert bags[-2].items == [] and Bag([3]).items == [3]
    late = [LateRequired(b=i) for i in range(SPECIALISE_AFTER + 2)]
    assert late[-1] == LateRequired(0, SPECIALISE_AFTER + 1)


def test_derived_slots_are_filled_by_both_inits_and_by_unpickling() -> None:
    from guardrail.base.record import SPECIALISE_AFTER

    made = [SimpleCommand(("\\/usr/bin/rm", "-rf", str(i))) for i in range(SPECIALISE_AFTER + 2)]
    assert SimpleCommand.__init__.__code__.co_filename == "<record SimpleCommand>"
    for cmd in made + [pickle.loads(pickle.dumps(made[0]))]:
        assert (cmd.name, cmd.args[0], cmd._positionals, cmd._words_environment) == ("rm", "-rf", None, None)
    assert SimpleCommand(()).name == "" and SimpleCommand(()).args == ()

"""Slotted record classes for the hook's hot path, without `dataclasses`.

Measured on this project's hook: importing `dataclasses` costs about 10 ms (it pulls in inspect, ast,
dis and tokenize) and each `@dataclass` about 0.5 ms, because it generates methods with exec. The hook
defines some twenty record types per process, which made dataclasses alone cost about as much as
starting Python. `@record` builds the same shape (slots, keyword or positional init, defaults and
factories, repr, eq, hash when frozen, pickling) with one generic `__init__` and no code generation at import.

Bulk callers (`guardrail test`, replay, benchmarks) build thousands of records, and the generic `__init__`
costs about 4 us a record on this project's 2-core machine (dict merges, `object.__setattr__` per field for frozen
records). After SPECIALISE_AFTER instances a class swaps in an `__init__` compiled for its fields (about 1.5 us):
a hook process, which builds a handful of records, never pays for the compile.
"""

from __future__ import annotations


SPECIALISE_AFTER = 16
_MISSING = object()


class factory:  # noqa: N801 - reads like dataclasses.field(default_factory=...)
    """A default built fresh for each instance: `items: list = factory(list)`."""

    __slots__ = ("fn",)

    def __init__(self, fn):  # noqa: ANN001
        self.fn = fn


def record(cls=None, /, *, frozen: bool = False):  # noqa: ANN001, ANN201
    """Class decorator: fields are the class annotations, in order; class values are their defaults."""

    def build(cls):  # noqa: ANN001, ANN202
        annotations = cls.__dict__.get("__annotations__", {})
        fields = tuple(annotations)
        # `__derived__`: extra slots filled from the fields (memoised properties of a frozen record) by the
        # static method `__derive__(record) -> values in __derived__ order`; they take no part in init, eq,
        # hash, repr or pickling.
        derived = tuple(cls.__dict__.get("__derived__", ()))
        derive = cls.__dict__.get("__derive__")
        if isinstance(derive, staticmethod):
            derive = derive.__func__
        defaults = {name: cls.__dict__[name] for name in fields if name in cls.__dict__}
        namespace = {k: v for k, v in cls.__dict__.items()
                     if k not in defaults and k not in ("__dict__", "__weakref__", "__derived__")}
        namespace["__slots__"] = fields + derived
        namespace["__match_args__"] = fields
        namespace["_fields"] = fields
        name = cls.__name__
        put = object.__setattr__
        post = cls.__dict__.get("__post_init__")

        # Plain defaults and factory defaults, precomputed: init merges two dicts in C and sets each slot once.
        # The builtin setattr is about a third cheaper than object.__setattr__; frozen records need the latter.
        if not frozen:
            put = setattr
        base = {f: d for f, d in defaults.items() if type(d) is not factory}
        factories = tuple((f, d.fn) for f, d in defaults.items() if type(d) is factory)
        field_set = frozenset(fields)
        count = len(fields)

        built = [0]  # instances made by the generic __init__

        def __init__(self, *args, **kwargs):  # noqa: ANN001, ANN202, N807
            built[0] += 1
            if built[0] == SPECIALISE_AFTER:
                _specialise(new, fields, defaults, post, frozen, derived, derive)
            if args:
                if len(args) > count:
                    raise TypeError(f"{name}() takes {count} arguments, got {len(args)}")
                given = dict(zip(fields, args))
                if kwargs:
                    if not given.keys().isdisjoint(kwargs):
                        raise TypeError(f"{name}() got repeated arguments: {', '.join(given.keys() & kwargs)}")
                    given.update(kwargs)
                kwargs = given
            if not kwargs.keys() <= field_set:
                raise TypeError(f"{name}() got unexpected arguments: {', '.join(kwargs.keys() - field_set)}")
            values = base | kwargs
            for f, fn in factories:
                if f not in kwargs:
                    values[f] = fn()
            if len(values) != count:
                raise TypeError(f"{name}() missing arguments: {', '.join(f for f in fields if f not in values)}")
            for f, value in values.items():
                put(self, f, value)
            if derive is not None:
                for f, value in zip(derived, derive(self)):
                    put(self, f, value)
            if post is not None:
                post(self)

        def __repr__(self):  # noqa: ANN001, ANN202, N807
            return f"{name}({', '.join(f'{f}={getattr(self, f)!r}' for f in fields)})"

        def __eq__(self, other):  # noqa: ANN001, ANN202, N807
            if other.__class__ is not self.__class__:
                return NotImplemented
            return all(getattr(self, f) == getattr(other, f) for f in fields)

        def __getstate__(self):  # noqa: ANN001, ANN202, N807
            return tuple(getattr(self, f) for f in fields)

        def __setstate__(self, state):  # noqa: ANN001, ANN202, N807
            for f, v in zip(fields, state):
                put(self, f, v)
            if derive is not None:
                for f, value in zip(derived, derive(self)):
                    put(self, f, value)
            if post is not None:
                post(self)

        namespace.update(__init__=__init__, __repr__=__repr__, __eq__=__eq__, __getstate__=__getstate__,
                         __setstate__=__setstate__)
        if frozen:
            def __setattr__(self, key, value):  # noqa: ANN001, ANN202, N807
                raise AttributeError(f"{name} is frozen: cannot set {key!r}")

            def __hash__(self):  # noqa: ANN001, ANN202, N807
                return hash(tuple(getattr(self, f) for f in fields))

            namespace.update(__setattr__=__setattr__, __delattr__=__setattr__, __hash__=__hash__)
        else:
            namespace["__hash__"] = None
        new = type(cls)(name, cls.__bases__, namespace)
        new.__qualname__ = cls.__qualname__
        new.__module__ = cls.__module__
        return new

    return build if cls is None else build(cls)


def _specialise(cls, fields, defaults, post, frozen, derived=(), derive=None) -> None:  # noqa: ANN001
    """Give `cls` an `__init__` with its fields as parameters: argument binding happens in C and each field is one
    store. A frozen record is built as its mutable twin (same slots, no `__setattr__` guard), then switched back."""
    seen_default = False
    params, body = [], []
    env: dict = {"_MISSING": _MISSING, "_post": post, "_cls": cls, "_set": object.__setattr__}
    for f in fields:
        if f in defaults:
            seen_default = True
            d = defaults[f]
            if type(d) is factory:
                env[f"_factory_{f}"] = d.fn
                params.append(f"{f}=_MISSING")
                body.append(f"    self.{f} = _factory_{f}() if {f} is _MISSING else {f}")
            else:
                env[f"_default_{f}"] = d
                params.append(f"{f}=_default_{f}")
                body.append(f"    self.{f} = {f}")
        elif seen_default:
            return  # a required field after a defaulted one: keep the generic __init__
        else:
            params.append(f)
            body.append(f"    self.{f} = {f}")
    if derive is not None:
        env["_derive"] = derive
        body.append(f"    {', '.join('self.' + f for f in derived)}, = _derive(self)")
    if frozen:
        env["_twin"] = type(cls.__name__, cls.__bases__, {"__slots__": cls.__slots__})
        body.insert(0, "    _set(self, '__class__', _twin)")
        body.append("    self.__class__ = _cls")
    if post is not None:
        body.append("    _post(self)")
    src = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body) + "\n"
    exec(compile(src, f"<record {cls.__qualname__}>", "exec"), env)  # noqa: S102 - our own field names only
    env["__init__"].__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = env["__init__"]


def replace(obj, **changes):  # noqa: ANN001, ANN201
    """A copy of a record with some fields changed (like dataclasses.replace)."""
    values = {f: getattr(obj, f) for f in obj._fields}
    if not values.keys() >= changes.keys():
        raise TypeError(f"{type(obj).__name__} has no fields {sorted(changes.keys() - values.keys())}")
    values.update(changes)
    return type(obj)(**values)

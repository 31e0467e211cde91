"""Methods of a store class that live in feature modules, imported the first time one of them is used.

Opening a store and logging runs needs only the core of ``SqlStore``; the registry, logged
models, dataset inputs, tokens, permissions and transfers load when a program first touches
them. Lookup order is the one a class inheriting every feature mixin (in the listed order)
would have, so a method means the same thing whether its module is loaded yet or not.
"""

from __future__ import annotations

import importlib

__all__ = ["install_lazy_features", "feature_attribute"]


def _raw_attribute(mixin: type, name: str):
    """``name`` as stored in the class dict of ``mixin`` or its bases (staticmethods stay wrapped), or None."""
    for klass in mixin.__mro__:
        if klass is not object and name in vars(klass):
            return vars(klass)[name]
    return None


class _Features:
    """The (module, mixin class) pairs of one store class, resolved name by name."""

    def __init__(self, owner: type, package: str, features: tuple):
        self.owner = owner
        self.package = package
        self.features = features

    def resolve(self, name: str):
        """Import the feature modules in order until one defines ``name``; install it on the owner class.

        Returns the raw attribute, or None when no feature defines it.
        """
        for module_name, mixin_name in self.features:
            mixin = getattr(importlib.import_module(module_name, self.package), mixin_name)
            found = _raw_attribute(mixin, name)
            if found is not None:
                setattr(self.owner, name, found)
                return found
        return None


class _LazyMethod:
    """Stands in for a method the base class declares, until the feature that implements it is loaded."""

    def __init__(self, features: _Features, name: str):
        self.features = features
        self.name = name

    def __get__(self, instance, owner=None):
        owner = self.features.owner
        if self.features.resolve(self.name) is None and vars(owner).get(self.name) is self:
            delattr(owner, self.name)  # no feature implements it: the base class's default applies
        return getattr(owner if instance is None else instance, self.name)


def install_lazy_features(owner: type, base: type, package: str, features: tuple) -> None:
    """Make ``owner`` find the methods of ``features`` ((module, mixin class name) pairs, in lookup order).

    Public methods ``base`` declares and ``owner`` does not define get a stand-in that loads their feature
    on first use (and stop counting as abstract); any other name missing on an instance is looked up in the
    features by ``owner.__getattr__`` (see ``feature_attribute``).
    """
    resolver = _Features(owner, package, features)
    owner._lazy_features = resolver
    for name, value in vars(base).items():
        if callable(value) and not name.startswith("_") and getattr(owner, name) is value:
            setattr(owner, name, _LazyMethod(resolver, name))
    owner.__abstractmethods__ = frozenset(
        name for name in owner.__abstractmethods__ if not isinstance(vars(owner).get(name), _LazyMethod))


def feature_attribute(instance, name: str):
    """The attribute ``name`` of ``instance`` from a not yet loaded feature; raises AttributeError if none has it."""
    if not name.startswith("__"):
        resolver = getattr(type(instance), "_lazy_features", None)
        if resolver is not None and resolver.resolve(name) is not None:
            return getattr(instance, name)
    raise AttributeError(f"{type(instance).__name__!r} object has no attribute {name!r}")

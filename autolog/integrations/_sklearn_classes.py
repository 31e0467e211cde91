"""Which scikit-learn classes get patched, now and when they are defined later.

Every subclass of ``sklearn.base.BaseEstimator`` that defines a method of interest in
its own ``__dict__`` gets it wrapped: sklearn's estimators and third-party estimators
alike, with no need to import all of sklearn. The classes that exist when autologging
is enabled are found by walking ``BaseEstimator.__subclasses__()``; those created
afterwards (a submodule imported later, a user's own estimator) are caught by an
``__init_subclass__`` hook and patched once their class statement has completed —
after sklearn's ``_SetOutputMixin`` has re-wrapped their ``fit_transform``, so our
wrapper stays the outermost and can be removed exactly.

Classes of frameworks that have their own integration (xgboost's and lightgbm's
sklearn API) are left to that integration.
"""

from __future__ import annotations

import threading

from .._patching import capture_internal_exceptions, logger

__all__ = ["EXCLUDED_FRAMEWORKS", "is_excluded", "estimator_classes", "ClassWatcher"]

EXCLUDED_FRAMEWORKS = frozenset({"xgboost", "lightgbm"})


def is_excluded(cls) -> bool:
    """True for classes another integration logs (xgboost's and lightgbm's estimators)."""
    return str(getattr(cls, "__module__", "")).split(".", 1)[0] in EXCLUDED_FRAMEWORKS


def estimator_classes(base) -> list:
    """Every class deriving from ``base`` that exists now (base excluded), parents before children."""
    found, seen, queue = [], {base}, [base]
    while queue:
        for child in type.__subclasses__(queue.pop(0)):
            if child not in seen:
                seen.add(child)
                found.append(child)
                queue.append(child)
    return found


class ClassWatcher:
    """Calls ``on_class(cls)`` for each class defined under the watched owners until ``remove``.

    ``owners`` are the classes whose ``__init_subclass__`` is hooked (``BaseEstimator``
    and sklearn's ``_SetOutputMixin``); ``on_class`` runs once per new class, after
    the outermost hooked ``__init_subclass__`` of that class has returned. Errors of
    ``on_class`` never break the user's class statement (they are raised in strict mode).
    """

    def __init__(self, owners, on_class):
        self._on_class = on_class
        self._local = threading.local()
        self._installed = []
        for owner in owners:
            original = owner.__dict__.get("__init_subclass__")
            hook = classmethod(self._hook(owner, original))
            setattr(owner, "__init_subclass__", hook)
            self._installed.append((owner, original, hook))

    def _hook(self, owner, original):
        watcher = self

        def __init_subclass__(cls, **kwargs):
            creating = watcher._creating()
            outer = cls not in creating
            creating.add(cls)
            try:
                if original is not None:
                    original.__func__(cls, **kwargs)
                else:
                    super(owner, cls).__init_subclass__(**kwargs)
            finally:
                if outer:
                    creating.discard(cls)
            if outer:
                with capture_internal_exceptions(f"patching the new class {cls.__name__}"):
                    watcher._on_class(cls)

        return __init_subclass__

    def _creating(self) -> set:
        creating = getattr(self._local, "creating", None)
        if creating is None:
            creating = self._local.creating = set()
        return creating

    def remove(self) -> None:
        """Restore each owner's ``__init_subclass__`` if it is still our hook."""
        installed, self._installed = self._installed, []
        for owner, original, hook in reversed(installed):
            if owner.__dict__.get("__init_subclass__") is not hook:
                logger.debug("autolog: %s.__init_subclass__ was replaced by someone else; leaving it", owner)
            elif original is None:
                delattr(owner, "__init_subclass__")
            else:
                setattr(owner, "__init_subclass__", original)

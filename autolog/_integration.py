"""The ``Integration`` base class: one per framework hook, and the one holder of its state.

A subclass names the framework module, its supported versions (data, checked with
``packaging`` when it is importable) and implements ``targets(module)``: the
(owner, attribute, Hook) triples to wrap.
``enable(**options)`` is idempotent: the patches are installed once, by a post-import
hook, so it works before or after the framework is imported; ``enable(disable=True)``
removes exactly what was installed.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import operator
import sys
import threading

from ._patching import logger, safe_patch

__all__ = ["DidNotEnable", "Options", "Integration", "version_in_range"]


class DidNotEnable(ImportError):
    """The framework of an integration is not installed; ``autolog.enable()`` skips it, a named call raises it."""


class Options:
    """The options every integration accepts (DESIGN.md, "Autologging rules"); immutable once made.

    A subclass adds its own options as annotated class attributes with their defaults, and may check them in
    ``__post_init__``; a frozen dataclass subclass works too. A plain class rather than a frozen dataclass:
    making one costs about a millisecond per class, paid by each process's first enabling.
    """

    disable: bool = False
    log_models: bool = True
    log_input_examples: bool = False
    log_model_signatures: bool = True
    log_datasets: bool = True
    exclusive: bool = False
    silent: bool = False
    registered_model_name: str | None = None
    extra_tags: dict | None = None

    def __init__(self, **values):
        """Options with ``values`` in place of the defaults; raises TypeError for an unknown name."""
        defaults = self.option_defaults()
        unknown = sorted(set(values) - set(defaults))
        if unknown:
            raise TypeError(f"{type(self).__name__}() got unknown option(s) {', '.join(map(repr, unknown))}")
        for name, default in defaults.items():
            object.__setattr__(self, name, values.get(name, default))
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

    @classmethod
    def option_defaults(cls) -> dict:
        """{option name: default value} of this class, its bases' options first."""
        found = _DEFAULTS.get(cls)
        if found is None:
            found = {name: getattr(cls, name, None) for klass in reversed(cls.__mro__)
                     for name, kind in vars(klass).get("__annotations__", {}).items()
                     if not name.startswith("_") and "ClassVar" not in str(kind)}
            _DEFAULTS[cls] = found
        return found

    @classmethod
    def from_kwargs(cls, integration: str, options: dict) -> "Options":
        """Build validated options; raise TypeError for an unknown option and ValueError for a bad value."""
        defaults = cls.option_defaults()
        unknown = sorted(set(options) - set(defaults))
        if unknown:
            raise TypeError(f"autolog.{integration}() got unknown option(s) {', '.join(map(repr, unknown))}; "
                            f"known options: {', '.join(sorted(defaults))}")
        for name, value in options.items():
            _check_option(integration, name, value, defaults[name])
        if "__dataclass_fields__" not in vars(cls):
            return cls(**options)
        # a frozen dataclass subclass: its own __init__ takes its own fields; the common ones are set after it
        own = {field.name for field in dataclasses.fields(cls)}
        made = cls(**{name: value for name, value in options.items() if name in own})
        for name, value in options.items():
            if name not in own:
                object.__setattr__(made, name, value)
        return made

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.option_defaults())

    def __setattr__(self, name, value):
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name):
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other):
        return type(other) is type(self) and other._values() == self._values()

    def __hash__(self):
        return hash(self._values())

    def __repr__(self):
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.option_defaults())
        return f"{type(self).__name__}({values})"


_DEFAULTS: dict = {}  # Options class -> its option_defaults()


def _check_option(integration: str, name: str, value, default) -> None:
    if isinstance(default, bool) and not isinstance(value, bool):
        raise ValueError(f"autolog.{integration}(): option {name!r} must be True or False, not {value!r}")
    if isinstance(default, int) and not isinstance(default, bool) and value is not None and (
            isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"autolog.{integration}(): option {name!r} must be an integer, not {value!r}")
    if isinstance(default, int) and not isinstance(default, bool) and isinstance(value, int) and value < 0:
        raise ValueError(f"autolog.{integration}(): option {name!r} must be 0 or more (None: no limit), "
                         f"not {value!r}")
    if name == "registered_model_name" and value is not None and (not isinstance(value, str) or not value):
        raise ValueError(f"autolog.{integration}(): registered_model_name must be a non-empty string, "
                         f"not {value!r}")
    if name == "extra_tags" and value is not None and (
            not isinstance(value, dict) or not all(isinstance(key, str) for key in value)):
        raise ValueError(f"autolog.{integration}(): extra_tags must be a dict with string keys, not {value!r}")


_OPERATORS = (">=", "<=", "==", "!=", ">", "<")  # two-character ones first: ">=" is not ">" then "="
_COMPARE = {">=": operator.ge, "<=": operator.le, "==": operator.eq, "!=": operator.ne, ">": operator.gt,
            "<": operator.lt}


def version_in_range(version: str, specifier: str) -> bool:
    """True when ``version`` satisfies ``specifier`` (e.g. ">=1.7, <4"); unparsable versions count as inside.

    A plain release against plain comparisons (the common case) is compared here; anything else
    (pre-releases, wildcards, ``~=``) goes to ``packaging``, whose import costs several milliseconds.
    Plain string work rather than regular expressions: enabling an integration pays for this once.
    """
    if _plain_release(version) and all(_plain_clause(part.strip()) for part in specifier.split(",") if part.strip()):
        return _simple_in_range(version, specifier)
    try:
        from packaging.specifiers import SpecifierSet
        from packaging.version import InvalidVersion, Version
    except ImportError:
        return _simple_in_range(version, specifier)
    try:
        return Version(version) in SpecifierSet(specifier)
    except InvalidVersion:
        return True


def _plain_release(text: str) -> bool:
    """True for digits separated by single dots ("1.7.6"), nothing else."""
    return all(part.isdecimal() for part in text.split("."))


def _operator_of(clause: str):
    """The comparison operator ``clause`` starts with, or None."""
    return next((symbol for symbol in _OPERATORS if clause.startswith(symbol)), None)


def _plain_clause(clause: str) -> bool:
    """True for an operator then a plain release (">= 1.7"), nothing else."""
    symbol = _operator_of(clause)
    return symbol is not None and _plain_release(clause[len(symbol):].lstrip())


def _release(version: str) -> tuple:
    """The leading numbers of ``version`` ("v2.1.0rc1" -> (2, 1, 0)); () when it starts with none."""
    text = version.lstrip()
    numbers = []
    for part in (text[1:] if text.startswith("v") else text).split("."):
        digits = next((index for index, char in enumerate(part) if not char.isdecimal()), len(part))
        if not digits:
            break
        numbers.append(int(part[:digits]))
        if digits < len(part):
            break
    return tuple(numbers)


def _simple_in_range(version: str, specifier: str) -> bool:
    have = _release(version)
    if not have:
        return True
    for clause in filter(None, (part.strip() for part in specifier.split(","))):
        symbol = _operator_of(clause)
        if symbol is None:
            continue
        bound = _release(clause[len(symbol):])
        width = max(len(have), len(bound))
        padded = (have + (0,) * width)[:width], (bound + (0,) * width)[:width]
        if not _COMPARE[symbol](*padded):
            return False
    return True


class Integration:
    """Base class of a framework hook. Subclasses set ``name``, ``module``, ``supported_versions``
    (a specifier such as ">=1.7, <4"), optionally ``options_class``, and implement ``targets``.
    """

    name: str = ""
    module: str = ""
    supported_versions: str = ""
    options_class = Options

    def __init__(self):
        self._lock = threading.RLock()
        self._enabled = False
        self._options = self.options_class()
        self._patches: list = []
        self._hook_registered = False

    @property
    def enabled(self) -> bool:
        """True while autologging of this framework is on."""
        return self._enabled

    def skips_call(self) -> bool:
        """True when the patched call about to run must not be logged (a subclass's rule; never by default)."""
        return False

    @property
    def options(self):
        """The options of the last ``enable`` call."""
        return self._options

    @property
    def patches(self) -> tuple:
        """The patches currently installed."""
        return tuple(self._patches)

    def targets(self, framework) -> list:
        """The (owner, attribute name, Hook) triples to patch once ``framework`` is imported."""
        raise NotImplementedError

    def is_installed(self) -> bool:
        """True when the framework can be imported (checked without importing it)."""
        return self.module in sys.modules or importlib.util.find_spec(self.module) is not None

    def enable(self, **options) -> None:
        """Turn autologging on with ``options`` (or off with ``disable=True``); idempotent.

        Raises TypeError/ValueError for bad options and DidNotEnable when the framework is missing.
        """
        parsed = self.options_class.from_kwargs(self.name, options)
        with self._lock:
            if parsed.disable:
                self._enabled, self._options = False, parsed
                self._unpatch()
                return
            if not self.is_installed():
                raise DidNotEnable(f"autolog.{self.name}(): the {self.module!r} package is not installed")
            self._options, self._enabled = parsed, True
            framework = sys.modules.get(self.module)
            if framework is not None:
                self._on_import(framework)
            elif not self._hook_registered:
                import wrapt

                wrapt.register_post_import_hook(self._on_import, self.module)
                self._hook_registered = True

    def _on_import(self, framework) -> None:
        with self._lock:
            if not self._enabled or self._patches:
                return
            self._check_version(framework)
            try:
                for owner, attribute, hook in self.targets(framework):
                    self._patches.append(safe_patch(self, owner, attribute, hook))
            except Exception:
                self._unpatch()
                raise

    def _check_version(self, framework) -> None:
        version = getattr(framework, "__version__", None)
        if version and self.supported_versions and not version_in_range(str(version), self.supported_versions):
            if not self._options.silent:
                logger.warning("autolog: %s %s is outside the tested range %s; autologging may be incomplete",
                               self.module, version, self.supported_versions)

    def _unpatch(self) -> None:
        patches, self._patches = self._patches, []
        for patch in reversed(patches):
            patch.remove()

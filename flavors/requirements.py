"""Requirements inference without a subprocess: the model's framework plus what its pickle references.

A flavor names the modules its model needs (``xgboost``, ``numpy``...); for pickled
objects the module names are recorded while pickling (``_serialization.pickle_with_modules``).
Each top-level module is mapped to its installed
distribution and pinned to the installed version. The environment files are
``requirements.txt``, ``python_env.yaml`` and ``conda.yaml``, as MLflow writes them.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import warnings

from ._errors import invalid_input

__all__ = [
    "distribution_for_module", "installed_version", "infer_requirements",
    "resolve_requirements", "write_environment", "check_environment", "REQUIREMENTS_FILE", "prime_caches",
]

REQUIREMENTS_FILE = "requirements.txt"
PYTHON_ENV_FILE = "python_env.yaml"
CONDA_FILE = "conda.yaml"

# Modules whose distribution name differs from the module name, or that are looked up often.
_KNOWN_DISTRIBUTIONS = {"sklearn": "scikit-learn", "yaml": "pyyaml", "flavors": "autolog", "skops": "skops",
                        "xgboost": "xgboost", "lightgbm": "lightgbm", "numpy": "numpy", "scipy": "scipy",
                        "pandas": "pandas", "cloudpickle": "cloudpickle", "PIL": "pillow"}
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")


_VERSION_HEADER = re.compile(r"^Version:[ \t]*(\S+)", re.MULTILINE)


@functools.lru_cache(maxsize=None)
def installed_version(distribution: str):
    """The installed version of ``distribution``, or None when it is not installed."""
    from importlib import metadata

    try:
        found = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return None
    # The Version header read from the metadata's header block: parsing the whole file as an email (what
    # ``Distribution.version`` does) costs a millisecond or more for a package with a long description.
    text = found.read_text("METADATA") or found.read_text("PKG-INFO") or ""
    match = _VERSION_HEADER.search(text.split("\n\n", 1)[0])
    return match.group(1) if match else found.version


@functools.lru_cache(maxsize=1)
def _packages_distributions() -> dict:
    from importlib import metadata

    return metadata.packages_distributions()


@functools.lru_cache(maxsize=None)
def distribution_for_module(module: str):
    """The name of the installed distribution that provides top-level ``module``; None for the standard
    library, local modules and anything not installed from a distribution."""
    if module in sys.stdlib_module_names or module in sys.builtin_module_names:
        return None
    known = _KNOWN_DISTRIBUTIONS.get(module)
    if known is not None:
        return known if installed_version(known) else None
    if installed_version(module):
        return module
    candidates = _packages_distributions().get(module)
    return candidates[0] if candidates else None


def _pin(distribution: str) -> str:
    version = installed_version(distribution)
    return f"{distribution}=={version.split('+')[0]}" if version else distribution


def _imports_of_local_module(module_name: str) -> set:
    """The top-level modules that an already imported module of the user's own code refers to at module level
    (what a class pickled by reference needs besides its own module)."""
    module = sys.modules.get(module_name)
    found = set()
    for value in vars(module).values() if module is not None else ():
        name = value.__name__ if isinstance(value, type(sys)) else getattr(value, "__module__", None)
        if isinstance(name, str):
            found.add(name.split(".")[0])
    return found


def infer_requirements(modules) -> list:
    """Pinned requirement lines (``name==version``, sorted) for the distributions providing ``modules``.

    A module of the user's own code (imported, but from no distribution) contributes the distributions
    of the modules it refers to at module level.
    """
    distributions = set()
    for module in modules:
        top = module.split(".")[0]
        distribution = distribution_for_module(top)
        if distribution is None and top not in sys.stdlib_module_names:
            distributions.update(distribution_for_module(name) for name in _imports_of_local_module(module))
        distributions.add(distribution)
    return sorted((_pin(dist) for dist in distributions if dist), key=str.lower)


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _parse(spec, argument: str) -> list:
    """Requirement lines from a list of strings or a requirements file path; raises InvalidInputError."""
    import tempfile

    from pip_requirements_parser import RequirementsFile

    if isinstance(spec, (str, os.PathLike)):
        if not os.path.isfile(spec):
            raise invalid_input(f"{argument}: requirements file {os.fspath(spec)!r} does not exist")
        parsed, source = RequirementsFile.from_file(os.fspath(spec), include_nested=True), os.fspath(spec)
    else:
        lines = [str(line) for line in spec]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "requirements.txt")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
            parsed, source = RequirementsFile.from_file(path, include_nested=False), "the list"
    if parsed.invalid_lines:
        bad = parsed.invalid_lines[0]
        raise invalid_input(f"{argument}: malformed requirement {bad.requirement_line.line!r} in {source} "
                            f"(line {bad.requirement_line.line_number}): {bad.error_message.splitlines()[0]}")
    options = [option.requirement_line.line for option in parsed.options
               if not ({"requirements", "constraints"} & set(option.options))]
    return options + [requirement.line for requirement in parsed.requirements]


def _requirement_name(line: str):
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    egg = re.search(r"#egg=([A-Za-z0-9._-]+)", line)
    if egg:
        return _normalize(egg.group(1))
    return _normalize(match.group(1)) if match and not line.lstrip().startswith("-") and "://" not in line else None


def resolve_requirements(inferred: list, pip_requirements=None, extra_pip_requirements=None) -> list:
    """The requirement lines to write: ``pip_requirements`` replaces ``inferred``, ``extra_pip_requirements``
    adds to it (replacing an inferred line for the same package). Each may be a list or a file path.

    Raises InvalidInputError for both given at once, a missing file or a malformed line.
    """
    if pip_requirements is not None and extra_pip_requirements is not None:
        raise invalid_input("Give only one of pip_requirements and extra_pip_requirements")
    if pip_requirements is not None:
        return _parse(pip_requirements, "pip_requirements")
    if extra_pip_requirements is None:
        return list(inferred)
    extras = _parse(extra_pip_requirements, "extra_pip_requirements")
    replaced = {_requirement_name(line) for line in extras} - {None}
    return [line for line in inferred if _requirement_name(line) not in replaced] + extras


def prime_caches(modules=()) -> None:
    """Look up, once per process, the installed versions a model's environment files name (the build tools
    and the distributions of ``modules``), so that the first model saved does not pay for it."""
    for name in ("pip", "setuptools", "wheel"):
        installed_version(name)
    infer_requirements(modules)


def write_environment(model_dir: str, requirements: list, link_previous: bool = False) -> dict:
    """Write requirements.txt, python_env.yaml and conda.yaml into ``model_dir``; return the ``env`` section.

    ``link_previous`` (models logged into a store, whose files are never edited in place): a file whose text
    this process wrote the same into an earlier such model, still unchanged there, is a hard link to it,
    since creating a file costs far more than linking one.
    """
    texts = (("\n".join(requirements) + ("\n" if requirements else "")),
             *_environment_texts(tuple(requirements)))
    for name, text in zip((REQUIREMENTS_FILE, PYTHON_ENV_FILE, CONDA_FILE), texts):
        path = os.path.join(model_dir, name)
        if link_previous and _link_previous(name, text, path):
            continue
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        if link_previous:
            _remember_written(name, text, path)
    return {"conda": CONDA_FILE, "virtualenv": PYTHON_ENV_FILE}


_written_environment: dict = {}  # (file name, text) -> (path, size, mtime_ns) of its last copy in a store


def _remember_written(name: str, text: str, path: str) -> None:
    try:
        stat = os.stat(path)
    except OSError:
        return
    if len(_written_environment) >= 64:
        _written_environment.clear()
    _written_environment[name, text] = (path, stat.st_size, stat.st_mtime_ns)


def _link_previous(name: str, text: str, path: str) -> bool:
    """Hard-link ``path`` to the file last written with ``text`` as ``name`` when it is still there, unchanged
    (its size and modification time); False when it cannot (then the caller writes the file)."""
    previous = _written_environment.get((name, text))
    if previous is None:
        return False
    source, size, mtime_ns = previous
    try:
        stat = os.stat(source)
        if stat.st_size != size or stat.st_mtime_ns != mtime_ns:
            return False
        os.link(source, path)
    except OSError:  # gone, another file system, no hard links there
        return False
    return True


@functools.lru_cache(maxsize=64)
def _environment_texts(requirements: tuple) -> tuple:
    """(python_env.yaml, conda.yaml) texts for ``requirements``: made once per process and requirement set,
    as the installed versions they name are (``installed_version``)."""
    python = ".".join(map(str, sys.version_info[:3]))
    build = [_pin(name) for name in ("pip", "setuptools", "wheel") if installed_version(name)] or ["pip"]
    python_env = {"python": python, "build_dependencies": build, "dependencies": [f"-r {REQUIREMENTS_FILE}"]}
    pip_version = installed_version("pip")
    conda = {"channels": ["conda-forge"],
             "dependencies": [f"python={python}", f"pip<={pip_version}" if pip_version else "pip",
                              {"pip": list(requirements)}],
             "name": "model-env"}
    from ._yaml_text import dump

    return tuple(dump(content) for content in (python_env, conda))


def check_environment(model_dir: str, warn: bool = True) -> list:
    """Compare the model's pinned requirements with the installed versions; return the differences as
    ``(name, pinned, installed or None)`` and, when ``warn``, emit one UserWarning listing them."""
    path = os.path.join(model_dir, REQUIREMENTS_FILE)
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    differences = []
    for line in lines:
        match = _PIN.match(line)
        if match:
            name, pinned = match.groups()
            installed = installed_version(name)
            if installed is None or installed.split("+")[0] != pinned:
                differences.append((name, pinned, installed))
    if differences and warn:
        detail = ", ".join(f"{name}=={pinned} (installed: {installed or 'not installed'})"
                           for name, pinned, installed in differences)
        warnings.warn(f"The model at {model_dir} was saved with requirements that differ from this "
                      f"environment: {detail}", UserWarning, stacklevel=3)
    return differences

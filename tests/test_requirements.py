"""`make run` installs requirements.txt and nothing else: every package the application imports must
come with it (named there or required by what is named there), or a fresh install fails to start."""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _runtime_distributions() -> set[str]:
    """requirements.txt's distributions and everything they require, extras included."""
    wanted: list[tuple[str, set[str]]] = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            wanted.append((requirement.name, set(requirement.extras)))
    seen: set[str] = set()
    while wanted:
        name, extras = wanted.pop()
        key = canonicalize_name(name)
        if key in seen:
            continue
        seen.add(key)
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in extras | {""}):
                wanted.append((requirement.name, set(requirement.extras)))
    return seen


def _imported_modules() -> dict[str, str]:
    """Every top-level module imported anywhere in the application's code, with a file that imports it."""
    found = {}
    for path in sorted((ROOT / "wcc").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_package_the_application_imports_is_installed_by_make_run():
    runtime = _runtime_distributions()
    providers = metadata.packages_distributions()
    missing = {}
    for module, where in _imported_modules().items():
        if module == "wcc" or module in sys.stdlib_module_names:
            continue
        distributions = {canonicalize_name(name) for name in providers.get(module, [])}
        if not distributions & runtime:
            missing[module] = (where, sorted(distributions))
    assert not missing, f"imported but not installed by requirements.txt: {missing}"


def test_requirements_are_pinned():
    for path in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / path).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                assert re.fullmatch(r"[A-Za-z0-9_.\[\]-]+==[0-9][0-9A-Za-z.]*", line), (path, line)

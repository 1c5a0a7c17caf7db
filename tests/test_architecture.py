"""The shape rules of the architecture issue, checked on every run: no app module outside
migrations over 600 lines, and no import of a project module inside a function unless a comment
on the line above (or on the line itself) says why. The layers themselves are import-linter's
job (.importlinter, run in CI as `lint-imports`)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_FOLDERS = ("site", "home", "members", "donations", "campaigns")
PROJECT_PACKAGES = {"ouendan", "home", "members", "donations", "campaigns"}
MAX_LINES = 600


def _modules():
    for folder in APP_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts or path.parts[-2:] == ("site", "settings"):
                continue
            yield path


def _is_project_import(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] in PROJECT_PACKAGES
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] in PROJECT_PACKAGES for alias in node.names)
    return False


def _hidden_imports(path: Path) -> list[str]:
    """Project imports inside functions with no reason given. A run of imports side by side
    shares the comment above its first line (or on any of its lines)."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            for field in ("body", "orelse", "finalbody", "handlers"):
                statements = getattr(node, field, None)
                if not isinstance(statements, list):
                    continue
                run: list[ast.stmt] = []
                for statement in [*statements, None]:
                    if isinstance(statement, (ast.Import, ast.ImportFrom)):
                        run.append(statement)
                        continue
                    if run:
                        found += _unexplained(run, lines, path)
                    run = []
    return found


def _unexplained(run: list[ast.stmt], lines: list[str], path: Path) -> list[str]:
    first = run[0].lineno
    above = lines[first - 2].strip() if first > 1 else ""
    own = lines[first - 1 : run[-1].end_lineno]
    if above.startswith("#") or any("#" in line for line in own):
        return []
    return [f"{path.relative_to(ROOT)}:{node.lineno}" for node in run if _is_project_import(node)]


def test_no_app_module_is_over_600_lines():
    long = {
        str(path.relative_to(ROOT)): count
        for path in _modules()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_project_imports_inside_functions_say_why():
    hidden = [place for path in _modules() for place in _hidden_imports(path)]
    assert hidden == []


def test_the_checks_see_what_they_look_for(tmp_path):
    """The scanner itself: a bare function-level import is found, a commented one is not."""
    module = tmp_path / "sample.py"
    module.write_text(
        "def a():\n    from members.models import Supporter\n\n"
        "def b():\n    # tasks.py imports this module\n    from .tasks import deliver\n"
        "    from .models import Message\n\n"
        "def c():\n    import json\n",
        encoding="utf-8",
    )
    tmp_root = ROOT
    try:
        globals()["ROOT"] = tmp_path
        assert _hidden_imports(module) == ["sample.py:2"]
    finally:
        globals()["ROOT"] = tmp_root

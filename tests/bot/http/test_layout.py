"""The HTTP server imports its route modules, and no route module imports the server back
(issue 17): what handlers use comes from ``bot.http.keys``."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.http

HTTP = Path(bot.http.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_route_module_imports_the_server() -> None:
    routes = [p for p in HTTP.glob("*.py") if p.name not in ("server.py", "__init__.py")]
    assert routes
    assert [p.name for p in routes if "bot.http.server" in _imports(p)] == []
    assert {"bot.http.cases", "bot.http.reports", "bot.http.keys"} <= _imports(HTTP / "server.py")

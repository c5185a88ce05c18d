"""The store is a real boundary: outside ``marsad.store`` no module imports ``sqlite3`` or holds an SQL statement.

import-linter's forbidden contract (pyproject.toml) checks the imports of the packages it lists; this test walks
every module of ``src/marsad`` with ``ast``, so a new package or module is covered too, and it also catches SQL
written as a string for some other connection."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "marsad"
STORE = PACKAGE / "store"

SQL = re.compile(r"\bSELECT\b.+\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bREPLACE\s+INTO\b|\bUPDATE\b\s+\w+\s+SET\b"
                 r"|\bDELETE\s+FROM\b|\bPRAGMA\b|\b(CREATE|DROP|ALTER)\s+(TABLE|INDEX|VIEW|TRIGGER)\b|\bVACUUM\b",
                 re.S)
"""Statements as SQL is written in this code base: keywords in upper case (prose says 'select' and 'update')."""


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes of a module, its classes and functions (prose may name a statement)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value,
                                                                                                     str):
                out.add(id(first.value))
    return out


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of every string literal but docstrings; an f-string's literal parts joined around ``{}``."""
    skip = _docstrings(tree)
    parts = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "{}".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else ""
                             for v in node.values)
            out.append((node.lineno, text))
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
              and id(node) not in parts):
            out.append((node.lineno, node.value))
    return out


def violations(source: str, name: str = "<source>") -> list[str]:
    """What in ``source`` (a module outside the store) breaks the boundary: sqlite3 imports and SQL strings."""
    tree = ast.parse(source, name)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in ("sqlite3", "psycopg") for a in node.names):
            found.append(f"{name}:{node.lineno}: imports a database driver")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("sqlite3", "psycopg"):
            found.append(f"{name}:{node.lineno}: imports from {node.module}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)
              and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("import_module", "__import__")
              and node.args and isinstance(node.args[0], ast.Constant)
              and str(node.args[0].value).split(".")[0] in ("sqlite3", "psycopg")):
            found.append(f"{name}:{node.lineno}: imports {node.args[0].value} at run time")
        elif isinstance(node, ast.Attribute) and node.attr == "conn":
            found.append(f"{name}:{node.lineno}: reaches into a store's connection (.conn)")
    for line, text in _strings(tree):
        if SQL.search(text):
            found.append(f"{name}:{line}: SQL in a string: {text[:80]!r}")
    return found


def _modules_outside_the_store() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if STORE not in p.parents)


def test_the_walk_sees_the_whole_package() -> None:
    names = {p.relative_to(PACKAGE).parts[0] for p in _modules_outside_the_store()}
    assert {"query", "web", "cli", "ingestion", "text", "models.py"} <= names
    assert "store" not in names


def test_no_sqlite_or_sql_outside_the_store() -> None:
    found = [v for path in _modules_outside_the_store()
             for v in violations(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE)))]
    assert found == [], "move these into marsad.store (a role method on the store):\n" + "\n".join(found)


def test_the_store_itself_is_where_the_sql_is() -> None:
    # the check is not vacuous: the store's own modules are full of what it looks for
    found = [v for path in sorted(STORE.glob("sqlite*.py")) for v in violations(path.read_text(encoding="utf-8"))]
    assert any("imports a database driver" in v for v in found)
    assert sum("SQL in a string" in v for v in found) > 50


@pytest.mark.parametrize("planted", [
    "import sqlite3\n",
    "from sqlite3 import Row\n",
    "import sqlite3.dbapi2 as db\n",
    "rows = conn.execute('SELECT id FROM articles WHERE story_id = ?', (1,))\n",
    "q = f\"SELECT {cols} FROM articles a WHERE a.id IN ({marks})\"\n",
    "q = ('SELECT id '\n     'FROM articles')\n",
    "conn.execute(\"PRAGMA data_version\")\n",
    "sql = 'INSERT INTO feeds(url) VALUES (?)'\n",
    "sql = 'UPDATE articles SET story_id = ? WHERE id = ?'\n",
    "sql = 'DELETE FROM stories'\n",
    "sql = 'CREATE INDEX x ON articles(source)'\n",
    "def f():\n    return 'CREATE TABLE t (x)'\n",
    "sql = 'INSERT OR IGNORE INTO feeds(url) VALUES (?)'\n",
    "sql = 'REPLACE INTO feeds(url) VALUES (?)'\n",
    "sql = 'ALTER TABLE articles ADD COLUMN x'\n",
    "sql = 'DROP INDEX articles_source'\n",
    "store.conn.execute(q)\n",
    "import psycopg\n",
    "db = importlib.import_module('sqlite3')\n",
])
def test_a_planted_violation_is_caught(planted: str) -> None:
    assert violations(planted)


@pytest.mark.parametrize("innocent", [
    '"""Reads ``PRAGMA data_version`` through the store."""\n',            # a docstring may name a statement
    "def f():\n    '''SELECT the best; UPDATE x SET y: prose.'''\n",
    "label = 'select a source from the list'\n",                            # lower case prose
    "msg = 'update the feed, then delete from the list'\n",
    "import sqlite_utils_like_name\n",
])
def test_prose_and_lookalikes_pass(innocent: str) -> None:
    assert violations(innocent) == []


def test_no_import_cycles_inside_the_package() -> None:
    """No module imports, directly or through others, a module that imports it back (lazy imports included)."""
    import grimp

    graph = grimp.build_graph("marsad")
    cycles = sorted({tuple(sorted((m, i))) for m in graph.modules for i in graph.find_modules_directly_imported_by(m)
                     if i.startswith("marsad") and graph.find_shortest_chain(importer=i, imported=m)})
    assert cycles == [], f"import cycles: {cycles}"

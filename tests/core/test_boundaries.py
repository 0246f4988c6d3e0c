"""The pure core stays pure: no I/O, clock, environment, web, database or CLI in domain/."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import socialpulse.domain

DOMAIN = Path(socialpulse.domain.__file__).parent

FORBIDDEN_MODULES = {
    "os",
    "io",
    "sys",
    "pathlib",
    "shutil",
    "socket",
    "subprocess",
    "tempfile",
    "glob",
    "sqlite3",
    "sqlalchemy",
    "alembic",
    "duckdb",
    "ibis",
    "pyarrow",
    "pandas",
    "pyspark",
    "fastapi",
    "starlette",
    "uvicorn",
    "httpx",
    "requests",
    "urllib",
    "typer",
    "click",
    "jinja2",
    "yaml",
    "json",
    "csv",
    "logging",
    "random",
    "time",
    "zoneinfo",
    "psycopg",
}
FORBIDDEN_CALLS = {"open", "input", "print", "eval", "exec"}
FORBIDDEN_ATTRS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("date", "today"),
    ("datetime", "today"),
    ("os", "environ"),
    ("os", "getenv"),
}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FORBIDDEN_MODULES:
                    out.append(f"{path.name}:{node.lineno} imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in FORBIDDEN_MODULES:
                out.append(f"{path.name}:{node.lineno} imports from {node.module}")
            if node.module.startswith("socialpulse.") and not node.module.startswith(
                "socialpulse.domain"
            ):
                out.append(f"{path.name}:{node.lineno} imports outward ({node.module})")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in FORBIDDEN_CALLS:
                out.append(f"{path.name}:{node.lineno} calls {node.func.id}()")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in FORBIDDEN_ATTRS
        ):
            out.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    return out


def test_domain_is_pure() -> None:
    files = sorted(DOMAIN.rglob("*.py"))
    assert len(files) >= 5
    problems = [v for f in files for v in _violations(f)]
    assert problems == []


def test_the_checker_catches_violations(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import os\nfrom datetime import datetime\nfrom socialpulse.adapters import lake\n"
        "x = datetime.now()\nopen('f')\n"
    )
    found = _violations(bad)
    assert len(found) == 4


# --- Layers and cycles -----------------------------------------------------------------------
# services/ receive ports (services/ports.py) wired in bootstrap.py, so they import neither an
# adapter nor bootstrap, anywhere (inside functions and under TYPE_CHECKING too: a type named
# from an adapter is still a dependency on it). interfaces/ go through App's services, never an
# adapter. Nothing but bootstrap and the interfaces looks outward (adapters implement ports; they
# never reach for the wiring or a user interface). And no import cycles among the module-level
# imports of the package.

PACKAGE = Path(socialpulse.domain.__file__).parent.parent
LAYER_RULES: dict[str, tuple[str, ...]] = {
    "services": ("socialpulse.adapters", "socialpulse.bootstrap", "socialpulse.interfaces"),
    "interfaces": ("socialpulse.adapters",),
    "adapters": ("socialpulse.bootstrap", "socialpulse.interfaces"),
}


@dataclass(frozen=True)
class Import:
    """One import statement: what it names, where, and how it runs."""

    source: str  # importing module, dotted
    target: str  # imported module, dotted (a submodule when `from pkg import submodule`)
    line: int
    where: str  # "module", "function" (inside a def) or "type_checking"


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(node: ast.ImportFrom, source: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = source.split(".") if is_package else source.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path: Path, root: Path, modules: set[str]) -> list[Import]:
    """Every import of one file, each with how it runs (module level, in a function, or only for
    the type checker)."""
    source = _module_name(path, root)
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def visit(node: ast.AST, where: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            where = "function" if where == "module" else where
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, "type_checking")
            for child in node.orelse:
                visit(child, where)
            return
        if isinstance(node, ast.Import):
            found.extend(Import(source, a.name, node.lineno, where) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, source, is_package)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append(Import(source, sub if sub in modules else target, node.lineno, where))
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(ast.parse(path.read_text(encoding="utf-8")), "module")
    return found


def _all_imports(root: Path) -> list[Import]:
    files = sorted(root.rglob("*.py"))
    modules = {_module_name(p, root) for p in files}
    return [i for p in files for i in _imports(p, root, modules)]


def layer_violations(root: Path) -> list[str]:
    """Imports that cross a layer the wrong way, as `module:line imports target (where)`."""
    pkg = root.name
    out = []
    for imp in _all_imports(root):
        for layer, banned in LAYER_RULES.items():
            here = f"{pkg}.{layer}"
            if imp.source != here and not imp.source.startswith(here + "."):
                continue
            banned_here = tuple(b.replace("socialpulse", pkg, 1) for b in banned)
            if any(imp.target == b or imp.target.startswith(b + ".") for b in banned_here):
                out.append(f"{imp.source}:{imp.line} imports {imp.target} ({imp.where})")
    return sorted(set(out))


def import_cycles(root: Path) -> list[list[str]]:
    """Cycles among module-level imports (Tarjan's strongly connected components); each as the
    sorted modules of one component."""
    pkg = root.name
    graph: dict[str, set[str]] = {}
    for imp in _all_imports(root):
        graph.setdefault(imp.source, set())
        if imp.where == "module" and (imp.target == pkg or imp.target.startswith(pkg + ".")):
            graph[imp.source].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return sorted(cycles)


#: What interfaces reach only through `App`'s services: the app database and the lake.
PAST_THE_SERVICES = ("store", "lake")


def reach_past_services(root: Path) -> list[str]:
    """``x.store`` / ``x.lake`` in interfaces/: reading or writing data around the services (and
    around the actor's authorization), as ``module:line uses .store``."""
    out = []
    for path in sorted((root / "interfaces").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in PAST_THE_SERVICES:
                out.append(f"{_module_name(path, root)}:{node.lineno} uses .{node.attr}")
    return sorted(set(out))


def test_layers_depend_inward() -> None:
    assert layer_violations(PACKAGE) == []


def test_no_import_cycles() -> None:
    assert import_cycles(PACKAGE) == []


def test_interfaces_reach_data_only_through_services() -> None:
    assert reach_past_services(PACKAGE) == []


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_layer_checker_catches_each_kind_of_violation(tmp_path: Path) -> None:
    root = tmp_path / "socialpulse"
    _write(root, {
        "__init__.py": "",
        "bootstrap.py": "",
        "adapters/__init__.py": "",
        "adapters/lake.py": "from socialpulse.services.ports import X\n"
                            "from socialpulse.interfaces.web import app\n",
        "services/__init__.py": "",
        "services/ports.py": "from socialpulse.domain import models\n",
        "services/a.py": "from socialpulse.adapters.lake import Lake\n",
        "services/b.py": "def f():\n    from socialpulse.bootstrap import App\n",
        "services/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                         "    from ..adapters import lake\n",
        "services/d.py": "import socialpulse.adapters.lake\n",
        "interfaces/__init__.py": "",
        "interfaces/e.py": "from socialpulse.bootstrap import App\n",
        "interfaces/f.py": "class C:\n    def m(self):\n"
                           "        from socialpulse.adapters import lake\n",
        "domain/__init__.py": "",
        "domain/models.py": "",
    })
    _write(root, {"interfaces/g.py": "def page(app):\n    return app.store.accounts(1), app.lake\n"
                                     "def ok(app):\n    return app.workspaces.accounts(1)\n"})
    assert reach_past_services(root) == ["socialpulse.interfaces.g:2 uses .lake",
                                         "socialpulse.interfaces.g:2 uses .store"]
    assert layer_violations(root) == [
        "socialpulse.adapters.lake:2 imports socialpulse.interfaces.web (module)",
        "socialpulse.interfaces.f:3 imports socialpulse.adapters.lake (function)",
        "socialpulse.services.a:1 imports socialpulse.adapters.lake (module)",
        "socialpulse.services.b:2 imports socialpulse.bootstrap (function)",
        "socialpulse.services.c:3 imports socialpulse.adapters.lake (type_checking)",
        "socialpulse.services.d:1 imports socialpulse.adapters.lake (module)",
    ]


def test_the_cycle_checker_catches_cycles_and_only_them(tmp_path: Path) -> None:
    root = tmp_path / "socialpulse"
    _write(root, {
        "__init__.py": "",
        "a.py": "from socialpulse import b\n",
        "b.py": "from .c import X\n",
        "c.py": "import socialpulse.a\nX = 1\n",
        "d.py": "from socialpulse.e import Y\n",
        "e.py": "Y = 1\ndef f():\n    from socialpulse import d\n",
        "f.py": "from typing import TYPE_CHECKING\nfrom socialpulse.g import Z\n",
        "g.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                "    from socialpulse import f\nZ = 1\n",
        "h.py": "try:\n    from socialpulse import h\nexcept ImportError:\n    pass\n",
    })
    assert import_cycles(root) == [
        ["socialpulse.a", "socialpulse.b", "socialpulse.c"],
        ["socialpulse.h"],
    ]

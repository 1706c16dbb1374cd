"""The package's import layers: no module imports one of a higher layer, and no modules import
each other in a circle (directly or through others). Walks every `import` in `toolkit/` with
`ast`, those inside functions too (a deferred import is still a dependency); imports under
`if TYPE_CHECKING:` are for type hints only and are left out.

The layer order is written once, here (LAYERS, lowest first). A module belongs to the layer of the
longest prefix that names it; a new module that no prefix names fails the test until it is placed.
The order is the order of imports, which is the flow of the data with two turns: the dispatcher
calls the publishers (so they sit below it), and the scheduler and the surfaces read the
operations' health and notifications (so those sit below them).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "toolkit"

#: lowest first; each entry: (layer, module prefixes). The regrouping rewrites this list.
LAYERS: list[tuple[str, list[str]]] = [
    ("core", ["toolkit", "toolkit.core"]),
    ("library", ["toolkit.library"]),
    ("compose", ["toolkit.compose"]),
    ("graphics", ["toolkit.graphics"]),
    ("store", ["toolkit.store"]),
    ("planning", ["toolkit.planning"]),
    ("publishers", ["toolkit.publishers"]),
    ("pages", ["toolkit.pages"]),
    ("operations", ["toolkit.operations"]),
    ("scheduler", ["toolkit.scheduler"]),
    ("surfaces", ["toolkit.surfaces", "toolkit.__main__"]),
]


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    out = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _import_nodes(tree: ast.AST):
    for node in ast.iter_child_nodes(tree):
        if _type_checking(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _import_nodes(node)


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that `name` imports: `from pkg import sub` counts as `pkg.sub`
    when `sub` is a module, as `pkg` otherwise; relative imports are resolved."""
    found = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                pkg = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                pkg = pkg[:len(pkg) - node.level + 1]
                base = ".".join(pkg + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Each module with the package's modules it imports."""
    known = modules(root)
    return {name: imports(name, path, known) for name, path in known.items()}


def layer_of(name: str, layers: list[tuple[str, list[str]]] = LAYERS) -> int | None:
    """The index in `layers` of the longest prefix naming `name`, or None."""
    best, where = -1, None
    for i, (_, prefixes) in enumerate(layers):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best:
                best, where = len(prefix), i
    return where


def upward(g: dict[str, set[str]], layers: list[tuple[str, list[str]]] = LAYERS) -> list[str]:
    """Each import from a module to one of a higher layer, in words."""
    found = []
    for name, targets in sorted(g.items()):
        mine = layer_of(name, layers)
        for target in sorted(targets):
            theirs = layer_of(target, layers)
            if mine is not None and theirs is not None and theirs > mine:
                found.append(f"{name} ({layers[mine][0]}) imports {target} ({layers[theirs][0]})")
    return found


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_every_module_has_a_layer() -> None:
    unplaced = [name for name in modules() if layer_of(name) is None]
    assert not unplaced, f"place these modules in tests/test_layers.py LAYERS: {unplaced}"


def test_no_import_goes_up_a_layer() -> None:
    found = upward(graph())
    assert not found, "imports from a lower layer to a higher one:\n" + "\n".join(found)


def test_no_import_cycles() -> None:
    found = cycles(graph())
    assert not found, "modules that import each other in a circle: " + "; ".join(
        " ↔ ".join(group) for group in found)


def test_the_walker_sees_a_cycle_and_an_upward_import(tmp_path: Path) -> None:
    # made-up modules (low, high), so that no regrouping renames them
    pkg = tmp_path / PACKAGE
    (pkg / "low").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "low" / "__init__.py").write_text("from toolkit.low import a\n")
    (pkg / "low" / "a.py").write_text("def f():\n    from toolkit.low.b import g\n")
    (pkg / "low" / "b.py").write_text("from .a import f\nfrom toolkit import high\n")
    (pkg / "high.py").write_text("TYPE_CHECKING = False\nif TYPE_CHECKING:\n"
                                 "    from toolkit.low import b\n")
    g = graph(tmp_path)
    assert g["toolkit.low.b"] == {"toolkit.low.a", "toolkit.high"}
    assert g["toolkit.high"] == set()
    assert cycles(g) == [["toolkit.low.a", "toolkit.low.b"]]
    layers = [("low", ["toolkit", "toolkit.low"]), ("high", ["toolkit.high"])]
    assert upward(g, layers) == ["toolkit.low.b (low) imports toolkit.high (high)"]

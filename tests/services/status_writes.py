"""Find every place in the source that writes a case's status (an AST scan, no import of the code).

A write is any of:

- an assignment (plain, augmented, annotated, inside a tuple) to ``<x>.status``
  or ``setattr(<x>, "status", …)`` where ``<x>`` is a ``Case`` or may be one;
- ``Case(…, status=…)`` or ``Case(**…)`` (keyword arguments we cannot see);
- ``insert(Case)`` / ``update(Case)`` (SQLAlchemy Core bulk writes);
- raw SQL text that updates or inserts into ``cases``.

"May be one" is what keeps the scan from being trivially passable: the
receiver's type is inferred only from what the code states — a parameter
annotation, ``Model(…)``, ``<s>.get(Model, …)``, ``<s>.scalar(select(Model)…)``,
``for x in <s>.scalars(select(Model)…)``, or the return annotation of the
function called (any function in ``desktop/`` with that name, if they all
agree; tuple returns unpack element-wise). A receiver whose type is unknown
counts as a write: to pass, code must show it is writing another model's
``status`` (a notice batch, an objection…).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

CASE = "Case"
_SQL = re.compile(r"\b(update\s+cases\b|insert\s+(or\s+\w+\s+)?into\s+cases\b)", re.IGNORECASE)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Write:
    path: str
    line: int
    what: str


def _ann(node: ast.expr | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ast.unparse(node)


def _tuple_items(ann: str) -> list[str] | None:
    """``tuple[A, B | None]`` → ["A", "B | None"] (top-level commas only)."""
    m = re.fullmatch(r"\s*tuple\[(.*)\]\s*", ann)
    if not m:
        return None
    items, depth, cur = [], 0, ""
    for ch in m.group(1):
        if ch == "," and depth == 0:
            items.append(cur.strip())
            cur = ""
            continue
        depth += ch in "[(" and 1 or 0
        depth -= ch in "])" and 1 or 0
        cur += ch
    items.append(cur.strip())
    return items


def _element(ann: str) -> str | None:
    """``list[M]`` / ``Iterable[M]`` / ``Sequence[M]`` → "M"."""
    m = re.fullmatch(r"\s*(?:list|Iterable|Sequence|Iterator|tuple)\[([^,\]]+)(?:, \.\.\.)?\]\s*", ann)
    return m.group(1).strip() if m else None


def return_annotations(sources: list[str]) -> dict[str, str | None]:
    """Function name → its return annotation over all sources (None when the definitions disagree)."""
    out: dict[str, str | None] = {}
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                ann = _ann(node.returns)
                if node.name in out and out[node.name] != ann:
                    out[node.name] = None
                else:
                    out[node.name] = ann
    return out


def _called_name(call: ast.Call) -> str | None:
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return None


def _model_of_query(node: ast.expr) -> str | None:
    """``select(M)…`` anywhere inside ``node`` (the first entity selected)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and _called_name(sub) == "select" and sub.args \
                and isinstance(sub.args[0], ast.Name):
            return sub.args[0].id
    return None


class _Scope:
    def __init__(self, returns: dict[str, str | None], cls: str | None) -> None:
        self.types: dict[str, str] = {}
        self.returns = returns
        self.cls = cls

    def value_type(self, value: ast.expr) -> str | None:
        if isinstance(value, ast.Call):
            name = _called_name(value)
            if isinstance(value.func, ast.Name) and name and name[:1].isupper():
                return name                                   # Model(...)
            if name == "get" and len(value.args) >= 1 and isinstance(value.args[0], ast.Name):
                return value.args[0].id                       # s.get(Model, key)
            if name in ("scalar", "scalar_one", "scalar_one_or_none", "first", "one"):
                return _model_of_query(value)
            if name is not None:
                return self.returns.get(name)
        if isinstance(value, ast.Name):
            return self.types.get(value.id)
        return None

    def bind(self, target: ast.expr, typ: str | None) -> None:
        if isinstance(target, ast.Name):
            if typ:
                self.types[target.id] = typ
            else:
                self.types.pop(target.id, None)
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = _tuple_items(typ) if typ else None
            for i, elt in enumerate(target.elts):
                self.bind(elt, items[i] if items and i < len(items) else None)

    def receiver_type(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            if node.id == "self":
                return self.cls
            return self.types.get(node.id)
        return None


def _is_case(typ: str | None) -> bool:
    return typ is None or CASE in _IDENT.findall(typ)


def _status_targets(target: ast.expr) -> list[ast.Attribute]:
    if isinstance(target, ast.Attribute) and target.attr == "status":
        return [target]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [a for elt in target.elts for a in _status_targets(elt)]
    return []


def _scan_function(fn: ast.AST, scope: _Scope, rel: str, out: list[Write]) -> None:
    if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = fn.args
        for a in args.posonlyargs + args.args + args.kwonlyargs:
            if (ann := _ann(a.annotation)) is not None:
                scope.types[a.arg] = ann
    body = fn.body if hasattr(fn, "body") else []
    # statements in source order, so a name's type is what it was bound to before its use
    for node in _walk_in_order(body):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                _check_targets(t, scope, rel, out)
            typ = scope.value_type(node.value)
            for t in node.targets:
                scope.bind(t, typ)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            _check_targets(node.target, scope, rel, out)
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                scope.bind(node.target, _ann(node.annotation))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            it = node.iter
            model = _model_of_query(it) if isinstance(it, ast.Call) and _called_name(it) in (
                "scalars", "all") else None
            if model is None and isinstance(it, ast.Call):
                ret = scope.returns.get(_called_name(it) or "")
                model = _element(ret) if ret else None
            scope.bind(node.target, model)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            scope.bind(node.optional_vars, None)
        elif isinstance(node, ast.Call):
            _check_call(node, scope, rel, out)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.search(node.value):
            out.append(Write(rel, node.lineno, "SQL text writing the cases table"))


def _walk_in_order(body: list[ast.stmt]):  # type: ignore[no-untyped-def]
    """Every node under ``body`` in source order, not descending into nested functions/classes."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _check_targets(target: ast.expr, scope: _Scope, rel: str, out: list[Write]) -> None:
    for attr in _status_targets(target):
        typ = scope.receiver_type(attr.value)
        if _is_case(typ):
            out.append(Write(rel, attr.lineno, f"{ast.unparse(attr)} = … (receiver type {typ or 'unknown'})"))


def _check_call(call: ast.Call, scope: _Scope, rel: str, out: list[Write]) -> None:
    name = _called_name(call)
    if name == "setattr" and len(call.args) >= 2 and isinstance(call.args[1], ast.Constant) \
            and call.args[1].value == "status" and _is_case(scope.receiver_type(call.args[0])):
        out.append(Write(rel, call.lineno, "setattr(…, 'status', …)"))
    if isinstance(call.func, ast.Name) and call.func.id == CASE and any(
            k.arg in ("status", None) for k in call.keywords):
        out.append(Write(rel, call.lineno, "Case(status=…)"))
    if name in ("insert", "update") and call.args and isinstance(call.args[0], ast.Name) \
            and call.args[0].id == CASE:
        out.append(Write(rel, call.lineno, f"{name}(Case)"))


def scan_source(source: str, rel: str, returns: dict[str, str | None] | None = None) -> list[Write]:
    tree = ast.parse(source)
    returns = returns if returns is not None else return_annotations([source])
    out: list[Write] = []
    _scan_function(tree, _Scope(returns, None), rel, out)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    _scan_function(item, _Scope(returns, node.name), rel, out)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not _is_method(tree, node):
            _scan_function(node, _Scope(returns, None), rel, out)
    return sorted(set(out), key=lambda w: (w.path, w.line, w.what))


def _is_method(tree: ast.Module, fn: ast.AST) -> bool:
    return any(isinstance(c, ast.ClassDef) and fn in c.body for c in ast.walk(tree))


def scan_tree(root: Path, package: str = "desktop") -> list[Write]:
    files = {f.relative_to(root).as_posix(): f.read_text(encoding="utf-8")
             for f in sorted((root / package).rglob("*.py"))}
    returns = return_annotations(list(files.values()))
    out: list[Write] = []
    for rel, source in files.items():
        out.extend(scan_source(source, rel, returns))
    return out

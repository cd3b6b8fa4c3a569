"""No import cycle anywhere in desktop, forms and sync — module-level and function-level imports alike.

A cycle hidden inside a function (``from x import y`` in a body) still ties the two modules together:
neither can be understood, tested or packaged without the other, and the order they are first
imported in decides whether start-up works. grimp reads every import statement (including those in
functions and under ``TYPE_CHECKING``); the strongly connected components of that graph are the
cycles, and each is named with one concrete path through it and the lines of its imports.
"""

from __future__ import annotations

import grimp

PACKAGES = ("desktop", "forms", "sync")


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph has hundreds of modules): components of two or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def describe(graph: grimp.ImportGraph, component: list[str]) -> str:
    """One cycle through the component's first module, each step with the line(s) of its import."""
    first = component[0]
    inside = set(component)
    back = next(m for m in sorted(graph.find_modules_directly_imported_by(first)) if m in inside)
    chain = graph.find_shortest_chain(importer=back, imported=first) or (back, first)
    path = [first, *chain]
    steps = []
    for importer, imported in zip(path, path[1:], strict=False):
        lines = sorted({d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)})
        steps.append(f"  {importer} -> {imported}  (line {', '.join(map(str, lines)) or '?'})")
    return f"cycle of {len(component)} modules ({', '.join(component)}):\n" + "\n".join(steps)


def test_the_import_graph_has_no_cycle():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    cycles = strongly_connected(graph)
    assert not cycles, "import cycles:\n" + "\n".join(describe(graph, c) for c in cycles)


def test_the_check_finds_and_names_a_cycle_even_through_a_function_level_import():
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b", line_number=3, line_contents="from . import b")
    graph.add_import(importer="pkg.b", imported="pkg.c", line_number=4, line_contents="from . import c")
    graph.add_import(importer="pkg.c", imported="pkg.a", line_number=40, line_contents="    from . import a")
    graph.add_import(importer="pkg.d", imported="pkg.a", line_number=1, line_contents="from . import a")
    (component,) = strongly_connected(graph)
    assert component == ["pkg.a", "pkg.b", "pkg.c"]
    text = describe(graph, component)
    assert "pkg.a -> pkg.b  (line 3)" in text and "pkg.c -> pkg.a  (line 40)" in text

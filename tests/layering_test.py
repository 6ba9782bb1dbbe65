#!/usr/bin/env python3
"""Keeps the module layering true, three ways:

1. docs/architecture.md's module table and src/CMakeLists.txt declare the same
   dependencies for every module, and every dependency points to a module
   listed above it (no upward arrow, hence no cycle).
2. Every #include of a project header in src/<module>/ (tests aside) names
   the module itself or one of its declared dependencies.
3. The build refuses a forbidden include: compiling a file that includes
   store/store.h with only the probe module's include path fails, and fails
   because the header is not found.

Usage: layering_test.py SOURCE_DIR BUILD_DIR
"""
import pathlib
import re
import subprocess
import sys


def docs_table(source):
    text = (source / "docs/architecture.md").read_text()
    section = text.split("## Modules", 1)[1]
    rows = {}
    order = []
    for line in section.splitlines():
        m = re.match(r"\|\s*`?(\w+)`?\s*\|[^|]*\|\s*([^|]*)\|", line)
        if not m or m.group(1) in ("folder", "module"):
            continue
        if set(m.group(2).strip()) <= set("-—– "):
            deps = set()
        else:
            deps = {d.strip(" `") for d in m.group(2).split(",") if d.strip(" `")}
        rows[m.group(1)] = deps
        order.append(m.group(1))
    return rows, order


def cmake_table(source):
    text = (source / "src/CMakeLists.txt").read_text()
    rows = {}
    for m in re.finditer(r"tocsin_module\((\w+)([^)]*)\)", text):
        rows[m.group(1)] = set(re.findall(r"tocsin_(\w+)", m.group(2)))
    return rows


def main():
    source = pathlib.Path(sys.argv[1])
    build = pathlib.Path(sys.argv[2])
    failures = []

    docs, order = docs_table(source)
    cmake = cmake_table(source)
    if not cmake:
        failures.append("no tocsin_module() found in src/CMakeLists.txt")
    for module, deps in cmake.items():
        if module not in docs:
            failures.append(f"module {module} is built but not in docs/architecture.md's table")
        elif docs[module] != deps:
            failures.append(f"module {module}: docs say {sorted(docs[module])}, "
                            f"CMake links {sorted(deps)}")
    for module in docs:
        if module not in cmake and module != "app":
            failures.append(f"module {module} is in the docs but not built")
    for i, module in enumerate(order):
        if module == "app":  # the wiring: uses every module, used by none
            continue
        for dep in docs[module]:
            if dep not in order[:i]:
                failures.append(f"module {module} uses {dep}, which is not above it in the table")

    for module, deps in cmake.items():
        allowed = deps | {module}
        for path in sorted((source / "src" / module).rglob("*")):
            if path.suffix not in (".h", ".cc") or path.stem.endswith(("_test", "_fuzz")):
                continue
            for line in path.read_text().splitlines():
                m = re.match(r'#include "(\w+)/', line)
                if m and m.group(1) not in allowed:
                    failures.append(f"{path.relative_to(source)} includes {m.group(1)}/, "
                                    f"not a dependency of {module}")

    result = subprocess.run(
        ["cmake", "--build", str(build), "--target", "layering_probe_includes_store"],
        capture_output=True, text=True)
    output = result.stdout + result.stderr
    if result.returncode == 0:
        failures.append("the build accepted probe including store/store.h")
    elif "store/store.h: No such file or directory" not in output:
        failures.append("the layering probe failed for another reason:\n" + output[-2000:])

    for f in failures:
        print("FAIL:", f)
    print(f"{len(cmake)} modules checked, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

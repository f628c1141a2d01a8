#!/usr/bin/env python3
"""Checks that server/src follows the module table in ARCHITECTURE.md.

Reads the "may depend on" column of the table under "## Modules" and fails (exit 1, one line per
finding) when a production source file in server/src/<module>/ includes a header of a module
its row does not name. Rules beyond the plain names:
  - "storage (interface)" allows only the headers directly in storage/ (repository.hpp and the
    like), never storage/sqlite/ or storage/postgres/: only `app` picks an implementation.
  - the implementations under storage/<impl>/ may include storage/ itself.
  - "everything" (app) allows every module.
Test sources (*_test.cpp, *test_support*, *test_util*, test_*.cpp/hpp, conformance suites)
may reach further, since each test binary links what it exercises; they are not checked.

Usage: tools/check_layering.py [REPO_ROOT]
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([^"]+)"', re.MULTILINE)
ROW = re.compile(r"^\|\s*`([a-z_]+)`\s*\|[^|]*\|\s*([^|]+?)\s*\|\s*$")
STORAGE_IMPLS = ("sqlite", "postgres")


def read_table(architecture: pathlib.Path) -> dict[str, set[str]]:
    """Module -> the set of module names (or 'storage-interface'/'*') it may include."""
    allowed: dict[str, set[str]] = {}
    in_modules = False
    for line in architecture.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            in_modules = line.startswith("## Modules")
            continue
        match = ROW.match(line) if in_modules else None
        if not match:
            continue
        module, deps = match.groups()
        names: set[str] = set()
        for dep in (d.strip() for d in deps.split(",")):
            if dep == "everything":
                names.add("*")
            elif dep == "storage (interface)":
                names.add("storage-interface")
            else:
                names.add(dep.split()[0])
        allowed[module] = names
    return allowed


def is_test_source(path: pathlib.Path) -> bool:
    name = path.name
    return (
        name.endswith("_test.cpp")
        or "test_support" in name
        or "test_util" in name
        or name.startswith("test_")
        or "conformance" in name
    )


def finding(path, module, target, rest, allowed) -> str | None:
    if "*" in allowed or target == module:
        return None
    if target == "storage":
        first = rest.split("/", 1)[0]
        if first in STORAGE_IMPLS:
            return f"{path}: includes storage/{rest}: only app picks a repository implementation"
        if "storage" in allowed or "storage-interface" in allowed:
            return None
    elif target in allowed:
        return None
    return f"{path}: includes {target}/{rest}, but {module} may depend only on " + ", ".join(
        sorted(a.replace("storage-interface", "storage (interface)") for a in allowed)
    )


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    allowed = read_table(root / "ARCHITECTURE.md")
    src = root / "server" / "src"
    if not allowed:
        print("check_layering: no module table found in ARCHITECTURE.md")
        return 1
    findings = []
    for module_dir in sorted(p for p in src.iterdir() if p.is_dir()):
        module = module_dir.name
        if module not in allowed:
            findings.append(f"{module_dir}: module not in ARCHITECTURE.md's table")
            continue
        for path in sorted(module_dir.rglob("*")):
            if path.suffix not in (".cpp", ".hpp") or is_test_source(path):
                continue
            for target, rest in INCLUDE.findall(path.read_text(encoding="utf-8")):
                if target not in allowed:
                    continue  # not one of our modules (e.g. a generated header)
                problem = finding(path.relative_to(root), module, target, rest, allowed[module])
                if problem:
                    findings.append(problem)
    for line in findings:
        print(line)
    if findings:
        print(f"check_layering: {len(findings)} include(s) break ARCHITECTURE.md's module table")
        return 1
    print(f"check_layering: {len(allowed)} modules follow ARCHITECTURE.md's table")
    return 0


if __name__ == "__main__":
    sys.exit(main())

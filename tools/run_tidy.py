#!/usr/bin/env python3
"""Runs clang-tidy over the project's .cpp files in batches: one translation unit per batch.

Why: clang-tidy 14 parses every header of every .cpp and runs each check's matchers over all of
it, system headers included (Beast, nlohmann-json, GoogleTest). Four fifths of its time on a
test file goes to code we did not write and whose findings it then suppresses. Linting sixteen
.cpp files of one build target as one unit (a generated file that #includes them, compiled
with that target's flags) parses and matches those headers once instead of sixteen times. (On
the 2-core machine, quiet: 17.1 min one file at a time, 9.1 in eights, 7.4 in sixteens
with one unit of twelve files still linted file by file.)
Findings in the included files are reported as usual: .clang-tidy's HeaderFilterRegex covers
server/src, server/tests and bench.

Files of one batch share one translation unit, so two of them that define the same name in an
anonymous namespace cannot be compiled together. Such a batch is linted again one file at a
time (and said so), which is exactly what a per-file run would have checked.

One check looks at the main file only: misc-unused-using-decls skips using-declarations in
included files, so in a batch it would see none. This script checks them itself, in every linted
file: a `using a::b;` whose name `b` appears nowhere else in the file is reported as that check
would report it (a name mentioned only in a comment counts as used, so it can miss one, never
report a used one). Every other enabled check was tried on an included file and reports there.

Usage: tools/run_tidy.py -p build/dev [-j N] [--batch 16] [--only REGEX]
Exit status 0 when nothing was found, 1 with the findings printed otherwise.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import time

# Lines clang-tidy prints about what it suppressed or counted, never a finding.
NOISE = re.compile(
    r"^(\d+ warnings? (and \d+ errors? )?generated\.|Suppressed \d+ warnings|Use -header-filter"
    r"|Use -system-headers|Error while processing )"
)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMPILE_ERROR = re.compile(r"error: .*\[clang-diagnostic-error\]")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-p", dest="build_dir", required=True,
                        help="build folder holding compile_commands.json")
    parser.add_argument("-j", dest="jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch", type=int, default=16,
                        help="largest number of .cpp files linted as one unit (1: per file)")
    parser.add_argument("--only", default=r"^(server|bench)/",
                        help="lint the files whose path from the repository's root matches "
                             "this regular expression (generated sources are under build/)")
    parser.add_argument("--clang-tidy", default="clang-tidy")
    return parser.parse_args()


def split_command(entry):
    """(compiler arguments without -c FILE and -o OUT, the object's folder: one per build target)."""
    words = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    flags, output, skip = [], "", None
    for word in words:
        if skip == "-o":
            output = word
        if skip:
            skip = None
        elif word in ("-o", "-c"):
            skip = word
        elif os.path.abspath(os.path.join(entry["directory"], word)) == entry["file"]:
            continue
        else:
            flags.append(word)
    # CMake writes objects under CMakeFiles/<target>.dir/: two executables with the same flags
    # (two benchmarks, each with its own main) must not share a unit.
    target = output.split(".dir/")[0] if ".dir/" in output else os.path.dirname(output)
    return flags, target


def batches(entries, size, root, only):
    """Groups the files by build target, then cuts each group in path order."""
    groups = {}
    for entry in entries:
        path = os.path.abspath(os.path.join(entry["directory"], entry["file"]))
        if not path.endswith(".cpp") or not re.search(only, os.path.relpath(path, root)):
            continue
        flags, target = split_command(dict(entry, file=path))
        key = (entry["directory"], target, tuple(flags))
        # A source listed in two targets (a shared test helper) is linted once.
        if not any(path in files for files in groups.values()):
            groups.setdefault(key, []).append(path)
    for (directory, _, flags), files in sorted(groups.items(), key=lambda item: item[1][0]):
        files.sort()
        for start in range(0, len(files), size):
            yield directory, list(flags), files[start:start + size]


USING_DECL = re.compile(r"^[ \t]*using[ \t]+(?!namespace\b)(?:typename[ \t]+)?[\w:]*::(\w+)[ \t]*;",
                        re.M)


def unused_using_decls(path):
    """misc-unused-using-decls' findings for `path`, found by reading it (see the docstring)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    findings = []
    for match in USING_DECL.finditer(text):
        name = match.group(1)
        rest = text[:match.start()] + text[match.end():]
        if not re.search(r"\b" + re.escape(name) + r"\b", rest):
            line = text.count("\n", 0, match.start()) + 1
            column = match.start(1) - match.start() + 1
            findings.append(f"{path}:{line}:{column}: error: using decl '{name}' is unused "
                            "[misc-unused-using-decls, read by tools/run_tidy.py]")
    return findings


def write_unit(unit_dir, index, files):
    if len(files) == 1:
        return files[0]
    path = os.path.join(unit_dir, f"batch_{index:03d}.cpp")
    with open(path, "w", encoding="utf-8") as out:
        out.write("// Generated by tools/run_tidy.py: one clang-tidy run over these files.\n")
        for file in files:
            out.write(f'#include "{file}"  // NOLINT(bugprone-suspicious-include)\n')
    return path


def run_tidy(tool, unit_dir, unit):
    result = subprocess.run([tool, "-p", unit_dir, "--quiet", unit],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, check=False)
    findings = [line for line in result.stdout.splitlines() if not NOISE.match(line)]
    return result.returncode, findings


def lint_batch(tool, unit_dir, unit, files):
    """(report lines, clean?) for one unit; a unit that does not compile is split per file."""
    code, findings = run_tidy(tool, unit_dir, unit)
    if code == 0:
        return [], True
    if len(files) > 1 and any(COMPILE_ERROR.search(line) for line in findings):
        errors = [line.strip() for line in findings
                  if COMPILE_ERROR.search(line) and "too many errors" not in line]
        names = ", ".join(os.path.relpath(file) for file in files)
        notes = [f"note: {names} do not compile as one unit "
                 f"({errors[0] if errors else 'compile errors'}); linting them one by one"]
        clean = True
        for file in files:
            file_code, file_findings = run_tidy(tool, unit_dir, file)
            if file_code != 0:
                clean = False
                notes += file_findings or [f"{file}: clang-tidy exited with {file_code}"]
        return notes, clean
    return findings or [f"{unit}: clang-tidy exited with {code}"], False


def main():
    args = parse_args()
    with open(os.path.join(args.build_dir, "compile_commands.json"), encoding="utf-8") as f:
        entries = json.load(f)
    unit_dir = os.path.abspath(os.path.join(args.build_dir, "tidy-units"))
    os.makedirs(unit_dir, exist_ok=True)
    units, commands = [], []
    for index, (directory, flags, files) in enumerate(batches(entries, args.batch, ROOT, args.only)):
        unit = write_unit(unit_dir, index, files)
        units.append((unit, files))
        # Each file keeps its own command too, for the one-by-one fallback.
        for file in set(files + [unit]):
            commands.append({"directory": directory, "file": file,
                             "arguments": flags + ["-c", file]})
    with open(os.path.join(unit_dir, "compile_commands.json"), "w", encoding="utf-8") as f:
        json.dump(commands, f, indent=1)

    started = time.monotonic()
    file_count = sum(len(files) for _, files in units)
    print(f"clang-tidy: {file_count} files in {len(units)} units, {args.jobs} at a time",
          flush=True)
    clean = True
    for _, files in units:
        for file in files:
            for finding in unused_using_decls(file):
                clean = False
                print(finding, flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        jobs = [pool.submit(lint_batch, args.clang_tidy, unit_dir, unit, files)
                for unit, files in units]
        for job in jobs:
            report, unit_clean = job.result()
            clean = clean and unit_clean
            for line in report:
                print(line, flush=True)
    print(f"clang-tidy: {'clean' if clean else 'findings above'} "
          f"in {time.monotonic() - started:.0f} s", flush=True)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Checks the shape of Swift sources: files of at most 400 lines, functions of at most 60 lines,
and no braces nested more than 5 deep inside a function body, unless a comment starting with
`shape:` within the three lines above the function says why.

Usage: scripts/check-shape.py [folder ...]   (default: Sources/KindredEngine/Search)
Exits 1 and lists each offender when one is found."""
import pathlib
import re
import sys

MAX_FILE, MAX_FUNCTION, MAX_DEPTH = 400, 60, 5
DECLARATION = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|static|"
                         r"mutating|override|final|nonisolated|consuming|@inlinable)\s+)*(?:func\s+\w+|init[?!]?\s*[(<])")


def code_only(line):
    """The line without string literals and a trailing `//` comment."""
    line = re.sub(r'"(?:\\.|[^"\\])*"', '""', line)
    return line.split("//", 1)[0]


def offences(path):
    lines = path.read_text().splitlines()
    found = []
    if len(lines) > MAX_FILE:
        found.append(f"{path}: {len(lines)} lines (at most {MAX_FILE})")
    for number, line in enumerate(lines):
        if not DECLARATION.match(line):
            continue
        excused = any("shape:" in lines[j] for j in range(max(0, number - 3), number))
        depth, opened, deepest, end = 0, False, 0, None
        for j in range(number, len(lines)):
            for character in code_only(lines[j]):
                if character == "{":
                    depth += 1
                    opened = True
                    deepest = max(deepest, depth)
                elif character == "}":
                    depth -= 1
            if opened and depth == 0:
                end = j
                break
        if end is None or excused:
            continue
        name = line.strip().split("(")[0]
        if end - number + 1 > MAX_FUNCTION:
            found.append(f"{path}:{number + 1}: {name} is {end - number + 1} lines (at most {MAX_FUNCTION})")
        if deepest - 1 > MAX_DEPTH:
            found.append(f"{path}:{number + 1}: {name} nests {deepest - 1} deep (at most {MAX_DEPTH})")
    return found


def main():
    folders = sys.argv[1:] or ["Sources/KindredEngine/Search"]
    found = [o for folder in folders for p in sorted(pathlib.Path(folder).rglob("*.swift")) for o in offences(p)]
    for offence in found:
        print(offence)
    if found:
        print(f"{len(found)} shapes to fix, or to explain with a `// shape:` comment above the function")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()

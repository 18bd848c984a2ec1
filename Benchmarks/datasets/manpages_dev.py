#!/usr/bin/env python3
"""Writes a relatedness set from Debian's manpages-dev: OUT_DIR/manpages-dev/corpus.jsonl and
qrels.jsonl.

Every manual page of the package is rendered to text with man-db. Its SEE ALSO section is taken
out of the text and becomes its judgements: the pages it names that are in the corpus. Pages that
only point at another one (symlinks, `.so` stubs) are not articles; references to them count
for the page they point at.
"""
import gzip
import json
import os
import re
import subprocess
import sys
from multiprocessing import Pool

PACKAGE = "manpages-dev"
# "pthread_create(3)", "open(2)": a page name and its section.
REFERENCE = re.compile(r"([A-Za-z_][\w.:+-]*)\((\d[a-zA-Z]*)\)")
# The running header and footer end with the page's "(3)".
RUNNING_LINE = re.compile(r"\(\d\w*\)\s*$")


def page_files():
    listed = subprocess.run(["dpkg", "-L", PACKAGE], capture_output=True, text=True, check=True).stdout
    return sorted(p for p in listed.splitlines() if re.fullmatch(r"/usr/share/man/man\d[^/]*/[^/]+\.gz", p))


def page_id(path):
    """`/usr/share/man/man2/open.2.gz` → `open.2`."""
    return os.path.basename(path).removesuffix(".gz")


def redirect(path):
    """The page a symlink or `.so` stub stands for, or None for a real page."""
    if os.path.islink(path):
        return page_id(os.path.realpath(path))
    with gzip.open(path, "rt", errors="replace") as page:
        lines = [line.strip() for line in page
                 if line.strip() and not line.startswith(('.\\"', "'\\\"", '.\\\\"'))]
    if 0 < len(lines) <= 2 and lines[0].startswith(".so "):
        return os.path.basename(lines[0].split()[1]).removesuffix(".gz")
    return None


def rendered(path):
    """The page as plain text, 100 columns, without hyphenation, justification or overstrikes."""
    environment = dict(os.environ, MANWIDTH="100", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
    text = subprocess.run(["man", "--nh", "--nj", "-l", path], capture_output=True, env=environment).stdout
    plain = subprocess.run(["col", "-bx"], input=text, capture_output=True, env=environment).stdout
    return path, plain.decode("utf-8", "replace")


def sections(text):
    """(heading, lines) pairs: a heading starts at column 0, its text is indented below it."""
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and RUNNING_LINE.search(lines[0]):
        lines = lines[1:]
    if lines and RUNNING_LINE.search(lines[-1]):
        lines = lines[:-1]
    found = []
    for line in lines:
        if line and not line[0].isspace():
            found.append((line.strip(), []))
        elif found:
            found[-1][1].append(line)
        else:
            found.append(("", [line]))
    return found


def article(path, text):
    """The page as an article, and its SEE ALSO text."""
    name, see_also, body = "", "", []
    for heading, lines in sections(text):
        content = "\n".join(lines).strip()
        if heading == "NAME":
            name = " ".join(content.split())
        if heading == "SEE ALSO":
            see_also = content
        else:
            body.append(heading + "\n" + "\n".join(lines))
    identifier = page_id(path)
    return {"id": identifier, "title": name, "body": "\n".join(body).strip(),
            "section": identifier.rsplit(".", 1)[1]}, see_also


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: manpages_dev.py OUT_DIR")
    out = os.path.join(sys.argv[1], PACKAGE)
    files = page_files()
    aliases, pages = {}, []
    for path in files:
        target = redirect(path)
        if target:
            aliases[page_id(path)] = target
        else:
            pages.append(path)
    with Pool(os.cpu_count() or 2) as pool:
        texts = dict(pool.map(rendered, pages, chunksize=8))
    articles, see_also = {}, {}
    for path in pages:
        entry, references = article(path, texts[path])
        if len(entry["body"]) >= 20:
            articles[entry["id"]] = entry
            see_also[entry["id"]] = references
    by_lower_case = {identifier.lower(): identifier for identifier in articles}

    def resolve(name, section):
        candidate = f"{name}.{section}"
        for _ in range(3):  # alias chains are short
            if candidate in articles:
                return candidate
            if candidate.lower() in by_lower_case:
                return by_lower_case[candidate.lower()]
            if candidate not in aliases:
                return None
            candidate = aliases[candidate]
        return None

    judgements = []
    for identifier in sorted(articles):
        relevant = []
        for match in REFERENCE.finditer(see_also[identifier].replace("\u2010", "-")):
            target = resolve(match.group(1), match.group(2))
            if target and target != identifier and target not in relevant:
                relevant.append(target)
        if relevant:
            judgements.append({"id": identifier, "relevant": relevant})
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "corpus.jsonl"), "w", encoding="utf-8") as corpus:
        for identifier in sorted(articles):
            corpus.write(json.dumps(articles[identifier], ensure_ascii=False) + "\n")
    with open(os.path.join(out, "qrels.jsonl"), "w", encoding="utf-8") as qrels:
        for judgement in judgements:
            qrels.write(json.dumps(judgement) + "\n")
    answers = sum(len(j["relevant"]) for j in judgements)
    print(f"{PACKAGE}: {len(articles)} articles, {len(aliases)} redirects skipped, {len(judgements)} queries, "
          f"{answers / max(1, len(judgements)):.2f} answers each, in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()

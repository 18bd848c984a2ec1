#!/usr/bin/env python3
"""Writes OUT_DIR/corpus.jsonl: one article per Debian package in this machine's apt lists.

id = the package name, title = its short description, body = its long description (from apt's
Translation-en lists, which `debian-packages.sh` fetches), section = its archive section.
"""
import glob
import json
import os
import subprocess
import sys


def paragraphs(text):
    """Debian control-file stanzas as dicts; continuation lines are kept with their newline."""
    for block in text.split("\n\n"):
        fields, last = {}, None
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and last is not None:
                fields[last] += "\n" + line
            elif ":" in line:
                last, _, value = line.partition(":")
                fields[last] = value.strip()
        if fields:
            yield fields


def long_descriptions():
    """Description-md5 → the English long description, from every Translation-en list."""
    found = {}
    for path in sorted(glob.glob("/var/lib/apt/lists/*_i18n_Translation-en*")):
        # apt-helper reads the list whatever its compression.
        text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", path],
                              capture_output=True, text=True, check=True).stdout
        for fields in paragraphs(text):
            if "Description-md5" in fields and "Description-en" in fields:
                found[fields["Description-md5"]] = fields["Description-en"]
    return found


def body_of(description):
    """The extended description: the lines after the synopsis, one leading space removed, and
    the " ." paragraph separators as empty lines."""
    lines = []
    for line in description.split("\n")[1:]:
        line = line[1:] if line.startswith(" ") else line
        lines.append("" if line.strip() == "." else line)
    return "\n".join(lines).strip()


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: debian_packages.py OUT_DIR")
    out = sys.argv[1]
    descriptions = long_descriptions()
    available = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, check=True).stdout
    articles, without_body = {}, 0
    for fields in paragraphs(available):
        name = fields.get("Package")
        if not name or name in articles:
            continue
        full = descriptions.get(fields.get("Description-md5", ""))
        without_body += full is None
        articles[name] = {
            "id": name,
            "title": fields.get("Description", "").split("\n")[0],
            "body": body_of(full) if full else "",
            "section": fields.get("Section", ""),
        }
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "corpus.jsonl"), "w", encoding="utf-8") as corpus:
        for name in sorted(articles):
            corpus.write(json.dumps(articles[name], ensure_ascii=False) + "\n")
    print(f"debian-packages: {len(articles)} articles ({without_body} without a long description) "
          f"in {out}/corpus.jsonl", file=sys.stderr)


if __name__ == "__main__":
    main()

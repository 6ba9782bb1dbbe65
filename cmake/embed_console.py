#!/usr/bin/env python3
"""Writes OUT, a C++ source holding every file of DIST (the console as Vite
built it) with its content type and a gzip copy, for api/console.cc to
serve: the binary carries the console, nothing is read from disk.

Usage: embed_console.py DIST OUT
"""

import gzip
import os
import sys

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".woff2": "font/woff2",
}


def array(name, data):
    rows = []
    for i in range(0, len(data), 24):
        rows.append(",".join(str(b) for b in data[i:i + 24]))
    return "const unsigned char %s[%d] = {\n%s};\n" % (name, max(1, len(data)),
                                                     ",\n".join(rows) or "0")


def main():
    dist, out = sys.argv[1], sys.argv[2]
    files = []
    for root, _, names in os.walk(dist):
        for name in sorted(names):
            path = os.path.join(root, name)
            files.append("/" + os.path.relpath(path, dist).replace(os.sep, "/"))
    files.sort()
    if "/index.html" not in files:
        sys.exit("embed_console.py: %s has no index.html: did the console build?" % dist)
    parts = ["// Generated from the console's build by cmake/embed_console.py: do not edit.\n",
             '#include "api/console.h"\n\nnamespace tocsin::api {\nnamespace {\n\n']
    entries = []
    for i, rel in enumerate(files):
        ext = os.path.splitext(rel)[1]
        if ext not in TYPES:
            sys.exit("embed_console.py: no content type for %s" % rel)
        with open(os.path.join(dist, rel.lstrip("/")), "rb") as f:
            data = f.read()
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        parts.append(array("kFile%d" % i, data))
        parts.append(array("kGzip%d" % i, packed))
        entries.append('    {"%s", "%s",\n     std::string_view(reinterpret_cast<const char*>(kFile%d), %d),\n'
                       '     std::string_view(reinterpret_cast<const char*>(kGzip%d), %d)},\n'
                       % (rel, TYPES[ext], i, len(data), i, len(packed)))
    parts.append("\n}  // namespace\n\nstd::span<const ConsoleFile> ConsoleFiles() {\n"
                 "  static const ConsoleFile files[] = {\n" + "".join(entries) +
                 "  };\n  return files;\n}\n\n}  // namespace tocsin::api\n")
    text = "".join(parts)
    if os.path.exists(out):
        with open(out) as f:
            if f.read() == text:
                return
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + ".tmp", "w") as f:
        f.write(text)
    os.replace(out + ".tmp", out)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Which folder of Sources/Kipi names which other folder's declarations (types at any depth,
top-level functions and constants), as edges; exits 1 when two folders name each other."""
import os, re, sys, itertools
root = sys.argv[1] if len(sys.argv) > 1 else "Sources/Kipi"
# Types at any depth (nested ones too); functions and constants at the top level only.
decl = re.compile(r"^(?:\s*(?:public |internal |fileprivate |private |final |indirect )*(?:struct|enum|class|protocol|typealias|actor)"
                  r"|(?:public |internal |fileprivate |private )*(?:func|let|var))\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)
def strip(text):
    text = re.sub(r'"""(?:.|\n)*?"""', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*(?:.|\n)*?\*/", "", text)
    return text
files = {}
for dirpath, _, names in os.walk(root):
    for name in names:
        if name.endswith(".swift"):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            folder = rel.split(os.sep)[0] if os.sep in rel else "(façade)"
            files[path] = (folder, strip(open(path, encoding="utf-8").read()))
declared = {}
for path, (folder, text) in files.items():
    for m in decl.finditer(text):
        declared.setdefault(m.group(1), set()).add(folder)
edges = {}
for path, (folder, text) in files.items():
    for word in set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", text)):
        owners = declared.get(word, set())
        if folder in owners or len(owners) != 1: continue
        (owner,) = owners
        if word[0].islower() and len(word) < 5: continue
        edges.setdefault((folder, owner), set()).add(word)
graph = {}
for (a, b), words in sorted(edges.items()):
    graph.setdefault(a, set()).add(b)
for a in sorted(graph):
    print(f"{a} → {', '.join(sorted(graph[a]))}")
cycles = [(a, b, sorted(edges[(a, b)])[:4], sorted(edges[(b, a)])[:4]) for a, b in itertools.combinations(sorted(graph), 2)
          if b in graph.get(a, ()) and a in graph.get(b, ())]
for a, b, ab, ba in cycles:
    print(f"cycle: {a} ↔ {b}: {a} names {ab}; {b} names {ba}")
sys.exit(1 if cycles else 0)

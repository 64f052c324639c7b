"""Static files under versioned URLs, the browser's ES modules included.

A page links its assets as `/static/<file>?v=<hash of the file>` with a one-year max-age, so a
repeat visit fetches nothing. A module is also fetched at the URL its importer names
(`import { el } from "./lib/dom.js"`), which would carry no version: a changed module could
come from the cache under its old content. So the modules under `static/js/` are served with
their relative import specifiers rewritten to versioned URLs (`"./lib/dom.js?v=<hash>"`), and a
module's version is the hash of what is served, which holds its imports' versions: a change
anywhere below a module changes its URL and the URL of every module above it, up to the
page's entry script.

Why this rather than the alternatives: serving modules without a version and revalidating them
costs one request per module on every visit (a 304 each, about 0.7 KB with its headers, which
would take the phone's repeat visit past its 10 KB budget, and a round trip or more on venue
Wi-Fi); an import map needs an inline script, which the CSP (`script-src 'self'`) forbids.

`modules(entry)` lists the whole graph below an entry, for `<link rel="modulepreload">`: the
browser fetches every module at once instead of discovering them one level at a time.

The modules form no import cycle (a cycle is refused at start, by `check`).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

MODULES = "js/"
# `from "./x.js"`, `import "./x.js"` and `import("./x.js")`: relative specifiers only.
SPECIFIER = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.\.?/[^"'?#]+\.js)\2""")


@dataclass
class _Module:
    stamp: tuple[int, int]  # the source file's (mtime_ns, size)
    source: str
    imports: list[str]  # the imported modules, static/-relative, in source order
    built_from: tuple[str, ...] | None = None  # the imports' versions `body` was built with
    body: bytes = b""
    version: str = ""


class Assets:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._modules: dict[str, _Module] = {}
        self._files: dict[str, tuple[tuple[int, int], str]] = {}

    @staticmethod
    def is_module(filename: str) -> bool:
        return (
            filename.startswith(MODULES)
            and filename.endswith(".js")
            and posixpath.normpath(filename) == filename
        )

    def _stamp(self, filename: str) -> tuple[int, int]:
        st = (self.folder / filename).stat()
        return st.st_mtime_ns, st.st_size

    def _resolve(self, importer: str, specifier: str) -> str:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))
        if not self.is_module(target) or not (self.folder / target).is_file():
            raise ValueError(
                f"{importer}: imports {specifier!r}, which is no module of static/{MODULES}"
            )
        return target

    def _module(self, filename: str, path: tuple[str, ...] = ()) -> _Module:
        """The module as served, rebuilt when its source or an import's version changed."""
        if filename in path:
            raise ValueError("import cycle: " + " -> ".join((*path, filename)))
        stamp = self._stamp(filename)
        m = self._modules.get(filename)
        if m is None or m.stamp != stamp:
            source = (self.folder / filename).read_text(encoding="utf-8")
            imports = [self._resolve(filename, spec) for _, _, spec in SPECIFIER.findall(source)]
            m = self._modules[filename] = _Module(stamp, source, imports)
        below = tuple(self._module(dep, (*path, filename)).version for dep in m.imports)
        if m.built_from != below:
            versions = iter(below)
            body = SPECIFIER.sub(lambda x: f"{x[1]}{x[2]}{x[3]}?v={next(versions)}{x[2]}", m.source)
            m.body = body.encode("utf-8")
            m.version = hashlib.sha256(m.body).hexdigest()[:10]
            m.built_from = below
        return m

    def body(self, filename: str) -> bytes:
        """What is served for a module of static/js/ (its imports versioned)."""
        return self._module(filename).body

    def version(self, filename: str) -> str:
        """The version in a static file's URL: the hash of what is served."""
        if self.is_module(filename):
            return self._module(filename).version
        stamp = self._stamp(filename)
        known = self._files.get(filename)
        if known is None or known[0] != stamp:
            digest = hashlib.sha256((self.folder / filename).read_bytes()).hexdigest()[:10]
            known = self._files[filename] = (stamp, digest)
        return known[1]

    def modules(self, entry: str) -> list[str]:
        """Every module below `entry` (not itself), each once, depth first."""
        seen: dict[str, None] = {}

        def walk(filename: str) -> None:
            for dep in self._module(filename).imports:
                if dep not in seen:
                    seen[dep] = None
                    walk(dep)

        walk(entry)
        return list(seen)

    def check(self) -> None:
        """Build every module once: a missing import or an import cycle fails here, at start."""
        for path in sorted((self.folder / MODULES).rglob("*.js")):
            self._module(path.relative_to(self.folder).as_posix())

"""Work kept between runs: small JSON files in the user's cache folder, named by what made them.

A one-shot `drafter render` would otherwise spend most of its time on results that do not change
from run to run: python-docx building the static parts of a .docx, OpenCC loaded to look for
words cut out of a template that has not changed. An entry's name is a digest of everything its
result depends on (the source of the modules that computed it, the libraries' files, the input),
so a changed input or an upgrade simply misses. A cache that cannot be read or written is only
not used: every caller can compute its result itself.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from pathlib import Path

_HERE = Path(__file__).parent


def folder() -> Path | None:
    """Return drafter's cache folder ($XDG_CACHE_HOME/drafter or ~/.cache/drafter), or None."""
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "drafter"
    except RuntimeError:  # no home folder
        return None


def _source(*modules: str) -> bytes:
    """Return the source of drafter's own `modules` (names without .py), to key what they compute."""
    return b"\0".join((_HERE / f"{name}.py").read_bytes() for name in modules)


def _library(name: str) -> str:
    """Return a stamp of installed library `name` (a package or a module on sys.path) that changes
    when it is upgraded or reinstalled, without importing it.

    Looked up by hand: importlib.metadata takes 20 ms to import, importlib.util 10 ms, a tenth of
    a one-shot render.
    """
    for folder in sys.path:
        for candidate in (os.path.join(folder or ".", name, "__init__.py"),
                          os.path.join(folder or ".", f"{name}.py")):
            try:
                stat = os.stat(candidate)
            except OSError:
                continue
            return f"{name}:{candidate}:{stat.st_size}:{stat.st_mtime_ns}"
    return f"{name}:absent"


def key(*parts: str, modules: tuple[str, ...] = (), libraries: tuple[str, ...] = ()) -> str:
    """Return a 64-bit digest of `parts`, of the source of drafter's `modules` (names without .py)
    that compute the result and of the installed `libraries` it comes from, for a file name;
    return "" (keep nothing) when a module's source cannot be read, as from a zipped install.

    Two checksums instead of hashlib, whose OpenSSL import costs a one-shot run 4 ms: the parts
    are our own files and the user's, not an attacker's, so only accidental collisions matter.
    """
    try:
        made_by = [_source(*modules), *map(_library, libraries)]
    except OSError:
        return ""
    data = b"\0\1".join(part.encode("utf-8") if isinstance(part, str) else part
                         for part in (*parts, *made_by))
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}{len(data) & 0xFFFF:04x}"


def load(kind: str, digest: str) -> object | None:
    """Return the JSON value kept as `kind` under `digest`, or None when absent or unreadable."""
    root = folder()
    if root is None:
        return None
    try:
        return json.loads((root / f"{kind}-{digest}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # absent, or damaged: the caller computes it again


def store(kind: str, digest: str, value: object) -> None:
    """Keep JSON `value` as `kind` under `digest`, atomically; do nothing when it cannot be written."""
    root = folder()
    if root is None:
        return
    import tempfile

    text = json.dumps(value, ensure_ascii=False)
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=root, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, root / f"{kind}-{digest}.json")  # readers see old or whole new
        except BaseException:
            os.unlink(temporary)
            raise
        _prune(root, kind)
    except OSError:
        pass  # a read-only home folder: every process computes the result itself


KEPT = 32  # entries of one kind: every edit of a template, every upgrade makes a new one


def _prune(root: Path, kind: str) -> None:
    """Remove all but the KEPT newest entries of `kind`, so the folder does not grow for ever."""
    entries = sorted(root.glob(f"{kind}-*.json"), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in entries[KEPT:]:
        old.unlink(missing_ok=True)

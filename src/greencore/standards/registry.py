"""The schemes shipped with greencore (and any directory of scheme files), by id and version."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from greencore.standards.loader import SchemeError, finish, prepare, read_yaml, read_yaml_text
from greencore.standards.model import NumberUse, Scheme


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    parts = version.replace("-", ".").split(".")
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in parts)


@dataclass
class Registry:
    """Scheme files found under one or more directories, loaded lazily and cached."""

    roots: tuple[Path, ...]
    # schemes held elsewhere as text (a bureau's adopted local schemes): (a name for errors, the YAML)
    texts: tuple[tuple[str, str], ...] = ()
    _raw: dict[str, tuple[Path, dict[str, Any]]] = field(default_factory=dict)
    _prepared: dict[str, tuple[dict[str, Any], list[NumberUse]]] = field(default_factory=dict)
    _loaded: dict[str, Scheme] = field(default_factory=dict)
    _scanned: bool = False
    # web servers score from several threads: scanning and loading must happen once, not once per thread
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def _scan(self) -> None:
        with self._lock:
            self._scan_locked()

    def _scan_locked(self) -> None:
        if self._scanned:
            return
        for root in self.roots:
            for path in sorted(root.rglob("*.yaml")):
                raw = read_yaml(path)
                scheme_id, version = raw.get("id"), raw.get("version")
                if not scheme_id or not version:
                    raise SchemeError(str(path), "", "a scheme file needs id: and version:")
                key = f"{scheme_id}@{version}"
                if key in self._raw:
                    raise SchemeError(str(path), "id", f"{key} is also defined in {self._raw[key][0]}")
                self._raw[key] = (path, raw)
        for name, text in self.texts:
            raw = read_yaml_text(text, name)
            key = f"{raw['id']}@{raw['version']}"
            if key in self._raw:
                raise SchemeError(name, "id", f"{key} is also defined in {self._raw[key][0]}")
            self._raw[key] = (Path(name), raw)
        self._scanned = True

    def keys(self) -> list[str]:
        self._scan()
        return sorted(self._raw, key=lambda k: (k.split("@")[0], version_key(k.split("@")[1])))

    def resolve_key(self, name: str) -> str:
        """`id@version`, or `id` for its latest version."""
        self._scan()
        if "@" in name:
            if name not in self._raw:
                raise KeyError(name)
            return name
        versions = [k for k in self._raw if k.split("@")[0] == name]
        if not versions:
            raise KeyError(name)
        return max(versions, key=lambda k: version_key(k.split("@")[1]))

    def _prepare(self, key: str, chain: tuple[str, ...] = ()) -> tuple[dict[str, Any], list[NumberUse]]:
        if key in self._prepared:
            return self._prepared[key]
        path, raw = self._raw[key]
        if key in chain:
            raise SchemeError(str(path), "extends", "circular extends: " + " → ".join((*chain, key)))

        def parent(name: str) -> dict[str, Any]:
            data, _ = self._prepare(self.resolve_key(name), (*chain, key))
            return copy.deepcopy(data)

        self._prepared[key] = prepare(raw, str(path), parent)
        return self._prepared[key]

    def parent_data(self, name: str) -> dict[str, Any]:
        """The resolved data of `name` (`id@version` or `id`), as a child's `extends:` merges it; KeyError
        when unknown."""
        key = self.resolve_key(name)
        with self._lock:
            data, _ = self._prepare(key)
            return copy.deepcopy(data)

    def get(self, name: str) -> Scheme:
        """The scheme `id@version` (or the latest version of `id`); KeyError when unknown."""
        key = self.resolve_key(name)
        with self._lock:
            if key not in self._loaded:
                data, numbers = self._prepare(key)
                self._loaded[key] = finish(data, numbers, str(self._raw[key][0]))
            return self._loaded[key]

    def all(self) -> list[Scheme]:
        return [self.get(key) for key in self.keys()]


def shipped_dir() -> Path:
    return Path(str(resources.files("greencore") / "schemes"))


@cache
def shipped() -> Registry:
    """The registry of the schemes shipped in the package."""
    return Registry(roots=(shipped_dir(),))


def get_scheme(name: str) -> Scheme:
    return shipped().get(name)

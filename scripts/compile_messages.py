"""Compile the translation catalogues (src/greenmfg/locale/*/LC_MESSAGES/*.po → .mo) with Babel.

Pure Python, so neither `make install` nor a developer needs GNU gettext's msgfmt (Django's
`compilemessages` does). The compiled .mo files are committed too, so a checkout works without running
this. A .mo is rewritten only when its messages differ from the .po's, which keeps it unchanged in git
when nothing changed. Exits 1 when a catalogue has errors (a msgstr whose %(name)s placeholders differ
from its msgid's, a missing plural form). `--check`: write nothing, exit 1 when a .mo is stale.

Usage: uv run python scripts/compile_messages.py [--check]
"""

from __future__ import annotations

import gettext
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parents[1] / "src" / "greenmfg" / "locale"


def messages_of_po(catalog: Catalog) -> dict[object, str]:
    """The messages a .mo compiled from `catalog` holds, keyed as Python's gettext keys them: msgid, or
    (msgid, n) for plural forms, with "msgctxt\\x04" before the msgid for a context. Untranslated and
    fuzzy messages are left out, as msgfmt leaves them out."""
    out: dict[object, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        prefix = f"{message.context}\x04" if message.context else ""
        if isinstance(message.id, tuple | list):
            strings = list(message.string)
            if not all(strings):
                continue
            for n, text in enumerate(strings):
                out[(prefix + message.id[0], n)] = text
        elif message.string:
            out[prefix + message.id] = str(message.string)
    return out


def messages_of_mo(data: bytes) -> dict[object, str]:
    """The messages of a compiled catalogue, read by Python's own gettext (as Django reads it)."""
    translations = gettext.GNUTranslations(io.BytesIO(data))
    catalog: dict[object, str] = translations._catalog  # type: ignore[attr-defined]
    return {key: value for key, value in catalog.items() if key != ""}


def compile_po(po_path: Path) -> tuple[bytes, list[str]]:
    """The .mo bytes of one .po, and its errors (file:line: problem)."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    errors = [
        f"{po_path}:{message.lineno}: {error}" for message, problems in catalog.check() for error in problems
    ]
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue(), errors


def _entries(text: str) -> list[list[str]]:
    """The .po's entries as lists of lines (comments, msgctxt, msgid, msgstr, blank lines after): a new
    entry starts at a comment, msgctxt or msgid line that follows a msgstr, blank line or not."""
    entries: list[list[str]] = [[]]
    seen_msgstr = False
    for line in text.splitlines(keepends=True):
        starts = line.startswith(("#", "msgctxt", "msgid "))
        if starts and seen_msgstr:
            entries.append([])
            seen_msgstr = False
        if line.startswith("msgstr"):
            seen_msgstr = True
        entries[-1].append(line)
    return entries


def _key(entry: list[str]) -> tuple[str, str] | None:
    """(msgctxt, msgid) of an entry as written (continuation lines included); None for the header."""
    context: list[str] = []
    msgid: list[str] = []
    current: list[str] | None = None
    for line in entry:
        if line.startswith("msgctxt"):
            current = context
        elif line.startswith("msgid "):
            current = msgid
        elif not line.startswith('"'):
            current = None
        if current is not None:
            current.append(line.strip())
    if not msgid or msgid == ['msgid ""']:
        return None
    return "".join(context), "".join(msgid)


def duplicate_entries(text: str) -> tuple[str, list[str]]:
    """The .po text without the entries whose (msgctxt, msgid) an earlier entry has, and those msgids."""
    seen: set[tuple[str, str]] = set()
    kept: list[str] = []
    dropped: list[str] = []
    for entry in _entries(text):
        key = _key(entry)
        if key is not None and key in seen:
            dropped.append(key[1])
            continue
        if key is not None:
            seen.add(key)
        kept.extend(entry)
    return "".join(kept), dropped


def main(argv: list[str]) -> int:
    check = "--check" in argv
    status = 0
    if "--dedupe" in argv:
        for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
            text, dropped = duplicate_entries(po_path.read_text(encoding="utf-8"))
            if dropped:
                po_path.write_text(text, encoding="utf-8")
                print(f"{po_path.name}: dropped {len(dropped)} repeated entries")
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        data, errors = compile_po(po_path)
        if errors:
            print("\n".join(errors), file=sys.stderr)
            status = 1
            continue
        mo_path = po_path.with_suffix(".mo")
        fresh = mo_path.exists() and messages_of_mo(mo_path.read_bytes()) == messages_of_mo(data)
        if fresh:
            continue
        if check:
            print(f"{mo_path} is stale: run python scripts/compile_messages.py", file=sys.stderr)
            status = 1
        else:
            mo_path.write_bytes(data)
            print(f"compiled {mo_path.relative_to(LOCALE_DIR.parents[2])}")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Reads of local schemes, and the one place the platform resolves a scheme by name: greencore's shipped
schemes, then the adopted local ones (each checked against the SM3 recorded when it was adopted)."""

from __future__ import annotations

from functools import lru_cache

from django.db.models import QuerySet

from greencore import (
    NumberChange,
    Registry,
    Scheme,
    load_scheme_text,
    parents_from,
    scheme_diff,
    shipped,
    shipped_dir,
)
from greenmfg.audit.hashing import sm3
from greenmfg.orgs.models import AuthorityLevel
from greenmfg.orgs.selectors import Actor

from .models import LocalScheme

# the bureaus that issue calls (city, province, ministry) keep the local schemes their calls pin
SCHEME_LEVELS = frozenset({AuthorityLevel.CITY, AuthorityLevel.PROVINCE, AuthorityLevel.MINISTRY})


class SchemeTampered(Exception):
    """An adopted scheme whose text no longer matches the SM3 recorded when it was adopted."""


def keeps_schemes(actor: Actor | None) -> bool:
    return actor is not None and actor.is_reviewer and actor.organisation.level in SCHEME_LEVELS


def schemes_of(actor: Actor) -> QuerySet[LocalScheme]:
    return LocalScheme.objects.filter(bureau=actor.organisation)


def adopted() -> QuerySet[LocalScheme]:
    return LocalScheme.objects.filter(status=LocalScheme.Status.ADOPTED).order_by("pk")


@lru_cache(maxsize=4)
def _registry(texts: tuple[tuple[str, str], ...]) -> Registry:
    return Registry(roots=(shipped_dir(),), texts=texts)


def registry() -> Registry:
    """The shipped schemes and every adopted local one (adopted texts never change, so one registry per
    set of adopted versions is built once and reused)."""
    texts = []
    for row in adopted().only("scheme_id", "version", "text", "text_sm3"):
        if sm3(row.text.encode()) != row.text_sm3:
            raise SchemeTampered(row.key)
        texts.append((row.key, row.text))
    return _registry(tuple(texts))


def get_scheme(name: str) -> Scheme:
    """The scheme `id@version` (or `id`, its latest version): shipped first, then adopted local schemes;
    KeyError when unknown."""
    try:
        return shipped().get(name)
    except KeyError:
        return registry().get(name)


def adopted_keys(actor: Actor | None = None) -> list[str]:
    rows = adopted() if actor is None else adopted().filter(bureau=actor.organisation)
    return [row.key for row in rows]


def scheme_of(row: LocalScheme) -> Scheme:
    """The scheme a row holds, loaded by greencore over the shipped and adopted schemes."""
    return load_scheme_text(row.text, row.key, parents_from(registry()))


def diff_of(row: LocalScheme) -> list[NumberChange]:
    """What the row changes against its parent, number by number (greencore.scheme_diff)."""
    return scheme_diff(get_scheme(row.parent_key), scheme_of(row))


def parent_choices(actor: Actor) -> list[tuple[str, str]]:
    """The schemes a bureau may derive from: every shipped scheme and its own adopted ones."""
    choices = [(s.key, f"{s.title.zh}（{s.key}）") for s in shipped().all()]
    for row in adopted().filter(bureau=actor.organisation):
        choices.append((row.key, f"{row.title}（{row.key}）"))
    return choices

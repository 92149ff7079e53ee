"""The writes of local schemes: a bureau submits one as YAML text or derives one from a parent's numbers
(a draft, checked by greencore: an error names its place), looks at the diff against the parent, then
adopts it. An adopted version is never edited in place: a change is a new version."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from greencore import GreencoreError, Scheme, derive_scheme_text, load_scheme_text, parents_from
from greenmfg.audit import services as audit
from greenmfg.audit.hashing import sm3
from greenmfg.core.errors import Refused
from greenmfg.orgs.selectors import Actor

from .models import LocalScheme
from .selectors import get_scheme, keeps_schemes, registry


class SchemeRefused(Refused):
    """A local scheme refused: `place` names where (a line and column, an indicator, a number's path)."""

    def __init__(self, zh: str, en: str, place: str = "") -> None:
        super().__init__(f"{place}：{zh}" if place else zh, f"{place}: {en}" if place else en)
        self.place = place


def check_text(text: str) -> Scheme:
    """greencore's checks of a local scheme given as text; it must extend a known scheme."""
    try:
        return load_scheme_text(text, "local", parents_from(registry()), require_parent=True)
    except GreencoreError as error:
        raise SchemeRefused(f"方案有误：{error.zh}", error.en, error.place) from None


def _event(actor: Actor, action: str, row: LocalScheme, **detail: object) -> None:
    audit.record(
        f"scheme.{action}",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=row,
        object_id=row.key,
        detail={"sm3": row.text_sm3, **detail},
    )


def submit_text(actor: Actor, text: str) -> LocalScheme:
    """Keep `text` as the bureau's draft of its id@version (replacing its own draft of the same version)."""
    if not keeps_schemes(actor):
        raise PermissionDenied
    if not text.strip():
        raise SchemeRefused("请填写方案内容（YAML）。", "the scheme text is empty")
    scheme = check_text(text)
    try:
        get_scheme(scheme.key)
    except KeyError:
        pass
    else:
        raise SchemeRefused(
            f"{scheme.key} 已存在且已采用，不能修改；请使用新的版本号。",
            f"{scheme.key} exists and is adopted; use a new version",
            "version",
        )
    with transaction.atomic():
        row = (
            LocalScheme.objects.select_for_update()
            .filter(scheme_id=scheme.id, version=scheme.version)
            .first()
        )
        if row is not None and (row.bureau_id != actor.organisation.pk or row.status != row.Status.DRAFT):
            raise SchemeRefused(
                f"{scheme.key} 已被使用，请使用新的版本号。",
                f"{scheme.key} is taken; use a new version",
                "version",
            )
        row = row or LocalScheme(
            bureau=actor.organisation, scheme_id=scheme.id, version=scheme.version, created_by=actor.user
        )
        row.parent_key = scheme.extends
        row.title = scheme.title.zh
        row.text = text
        row.text_sm3 = sm3(text.encode())
        row.save()
        _event(actor, "drafted", row, parent=row.parent_key)
    return row


def derive(
    actor: Actor,
    parent: Scheme,
    *,
    scheme_id: str,
    version: str,
    title: str,
    source: str,
    numbers: Mapping[str, Decimal],
) -> LocalScheme:
    """A draft child of `parent` with the given numbers changed (marked V, with the bureau's source)."""
    if not keeps_schemes(actor):
        raise PermissionDenied
    if not source.strip():
        raise SchemeRefused("请注明依据的文件和条款。", "name the source document and article", "source")
    try:
        text = derive_scheme_text(
            parent,
            scheme_id=scheme_id,
            version=version,
            title_zh=title,
            title_en="",
            source=source,
            region=actor.organisation.region_id,
            numbers=numbers,
        )
    except GreencoreError as error:
        raise SchemeRefused(error.zh, error.en, error.place) from None
    return submit_text(actor, text)


def adopt(actor: Actor, row: LocalScheme) -> LocalScheme:
    """Fix the draft as an adopted version: checked once more, its text's SM3 recorded, never edited."""
    if not keeps_schemes(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = LocalScheme.objects.select_for_update().get(pk=row.pk)
        if locked.bureau_id != actor.organisation.pk:
            raise PermissionDenied
        if locked.status != LocalScheme.Status.DRAFT:
            raise SchemeRefused(
                f"{locked.key} 已采用，不能再次采用或修改。", f"{locked.key} is already adopted"
            )
        check_text(locked.text)
        locked.status = LocalScheme.Status.ADOPTED
        locked.adopted_by = actor.user
        locked.adopted_at = timezone.now()
        locked.save(update_fields=["status", "adopted_by", "adopted_at"])
        _event(actor, "adopted", locked, parent=locked.parent_key)
    return locked


def verify_number(
    actor: Actor, row: LocalScheme, *, path: str, value: Decimal, source: str, version: str
) -> LocalScheme:
    """Confirm an unverified number (mark S or R) at its value, or override it, with the bureau's source
    (document and article): recorded as a new draft version of the adopted scheme, where the number is
    marked V with that source. The adopted version itself is not touched."""
    if not keeps_schemes(actor) or row.bureau_id != actor.organisation.pk:
        raise PermissionDenied
    if row.status != LocalScheme.Status.ADOPTED:
        raise SchemeRefused("请先采用该方案，再核实其数值。", "adopt the scheme before verifying its numbers")
    scheme = get_scheme(row.key)
    number = next((n for n in scheme.numbers if n.path == path), None)
    if number is None or number.mark.is_verified:
        raise SchemeRefused("该数值不是待核实的数值。", "not an unverified number of this scheme", path)
    confirmed = derive(
        actor,
        scheme,
        scheme_id=row.scheme_id,
        version=version,
        title=row.title,
        source=source,
        numbers={path: value},
    )
    _event(
        actor,
        "number_confirmed" if value == number.value else "number_overridden",
        confirmed,
        path=path,
        before=str(number.value),
        after=str(value),
        before_mark=number.mark.value,
        source=source,
        of=row.key,
    )
    return confirmed

"""Whether what the public pages show of a title is what the bureau signed (issue 16).

An announcement's manifest — number, authority, date and, per title, unit, credit code, kind, level,
grade and start of validity — is signed with SM2 when it is published. The register's rows and the title
rows are copies that a database edit could change; these checks compare them with the signed manifest,
under a key of the platform, before a page presents them as official.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from greenmfg.audit import signing
from greenmfg.schemes.selectors import get_scheme

from .models import Announcement, Title


@dataclass(frozen=True)
class Verdict:
    verified: bool
    number: str = ""
    reason_zh: str = ""
    reason_en: str = ""


def _refused(number: str, zh: str, en: str) -> Verdict:
    return Verdict(False, number, zh, en)


def announcement_verdict(announcement: Announcement) -> Verdict:
    if not announcement.manifest or not signing.verify_trusted(announcement.manifest, announcement.signature):
        return _refused(
            announcement.number,
            "公告内容与其 SM2 签名不符",
            "the announcement does not match its SM2 signature",
        )
    return Verdict(True, announcement.number)


def _grade_labels(title: Title, manifest_grade: str) -> set[str]:
    """The labels a title may show: its signed grade's, or one a higher title raised it to since."""
    labels = {change.to_label for change in title.grade_changes.all()}
    try:
        scheme = get_scheme(f"{title.announcement.call.scheme_id}@{title.announcement.call.scheme_version}")
    except (KeyError, ValueError):
        return labels
    labels |= {band.label.zh for band in scheme.outcome.grades if band.id == manifest_grade}
    if not manifest_grade:
        labels.add("")
    return labels


def _signed_row(
    manifest: dict[str, Any], name: str, credit_code: str, kind: str, level: str
) -> dict[str, Any] | None:
    for row in manifest.get("titles", []):
        if (row.get("unit"), row.get("credit_code", ""), row.get("kind"), row.get("level")) == (
            name,
            credit_code,
            kind,
            level,
        ):
            return dict(row)
    return None


def _compare(title: Title, shown: dict[str, Any]) -> Verdict:
    """`shown`: unit, credit_code, kind, level, grade_label, valid_from, number, authority as displayed."""
    announcement = title.announcement
    overall = announcement_verdict(announcement)
    if not overall.verified:
        return overall
    manifest = announcement.manifest or {}
    differs = [
        label
        for label, field in (("公告文号", "number"), ("发布机关", "authority"))
        if shown.get(field) is not None and shown[field] != manifest.get(field)
    ]
    row = _signed_row(manifest, shown["unit"], shown["credit_code"], shown["kind"], shown["level"])
    if row is None:
        differs.append("单位、信用代码、称号或级别")
    else:
        if shown.get("valid_from") is not None and str(shown["valid_from"]) != row.get("valid_from"):
            differs.append("日期")
        if shown["grade_label"] not in _grade_labels(title, str(row.get("grade", ""))):
            differs.append("等级")
    if differs:
        return _refused(
            announcement.number,
            f"与 SM2 签名的公告 {announcement.number} 不符：{'、'.join(differs)}",
            f"differs from the SM2-signed announcement {announcement.number}",
        )
    return Verdict(True, announcement.number)


def register_verdicts(entries: Iterable[Any]) -> dict[int, Verdict]:
    """A verdict per register entry granted on the platform (national-list rows carry no signature of the
    platform and get none), keyed by entry id."""
    wanted = {e.source_key.removeprefix("title:"): e for e in entries if e.source == "platform"}
    ids = []
    for key in wanted:
        try:
            ids.append(uuid.UUID(key))
        except ValueError:
            continue  # not a platform title's key: no announcement grants it
    titles = Title.objects.select_related("announcement__authority", "announcement__call").filter(
        public_id__in=ids
    )
    found = {str(t.public_id): t for t in titles}
    verdicts = {}
    for key, entry in wanted.items():
        title = found.get(key)
        if title is None:
            verdicts[entry.pk] = _refused("", "找不到授予该称号的公告", "no announcement grants this title")
            continue
        verdicts[entry.pk] = _compare(
            title,
            {
                "unit": entry.unit_name,
                "credit_code": entry.credit_code,
                "kind": entry.kind,
                "level": entry.level,
                "grade_label": entry.grade,
                "valid_from": entry.announced_on,
                "number": entry.announcement_ref,
                "authority": entry.authority,
            },
        )
    return verdicts


def title_verdicts(titles: Iterable[Title]) -> dict[int, Verdict]:
    """A verdict per title row of an announcement page, keyed by title id."""
    return {
        t.pk: _compare(
            t,
            {
                "unit": t.organisation.name,
                "credit_code": t.organisation.credit_code or "",
                "kind": t.kind,
                "level": t.level,
                "grade_label": t.grade_label,
                "valid_from": t.valid_from,
            },
        )
        for t in titles
    }

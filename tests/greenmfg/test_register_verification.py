"""The public pages check what they show of a platform title against the bureau's SM2-signed
announcement (issue 16): an edited register row, title row or manifest is flagged, not presented as
official."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from test_reviews import published_journey, who

from greenmfg.publication import services as publication
from greenmfg.publication.models import Announcement, Title
from greenmfg.register.models import RegisterEntry


def published(world) -> tuple[Announcement, RegisterEntry]:
    application = published_journey(world)
    city = who(world, "sz-reviewer")
    notice = publication.open_publicity(city, application.call)
    announcement = publication.publish(city, notice, today=notice.closes_on + timedelta(days=1))
    title = announcement.titles.get()
    return announcement, RegisterEntry.objects.get(source_key=f"title:{title.public_id}")


def unit_page(entry: RegisterEntry) -> str:
    response = Client().get(reverse("register:unit", args=[entry.unit_key]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_register_row_edited_in_the_database_is_flagged(world):
    announcement, entry = published(world)
    page = unit_page(entry)
    assert f"已核验：与 SM2 签名的公告 {announcement.number} 一致" in page
    assert "未通过核验" not in page

    RegisterEntry.objects.filter(pk=entry.pk).update(grade="5A级（篡改）")
    page = unit_page(entry)
    assert "未通过核验" in page
    assert f"与 SM2 签名的公告 {announcement.number} 不符：等级；本行不作为有效称号" in page
    assert '<span class="state">有效</span>' not in page
    assert "已核验" not in page

    RegisterEntry.objects.filter(pk=entry.pk).update(
        grade=entry.grade, announcement_ref="苏工信节〔2026〕99号"
    )
    assert "不符：公告文号" in unit_page(entry)


def test_the_announcement_page_checks_its_signature_and_each_title(world):
    announcement, _ = published(world)
    url = reverse("publication:announcement", args=[announcement.public_id])
    page = Client().get(url).content.decode()
    assert "SM2 签名已核验" in page and "与签名的名单不符" not in page

    Title.objects.filter(announcement=announcement).update(grade_label="五星级")
    page = Client().get(url).content.decode()
    assert "SM2 签名已核验" in page and "与签名的名单不符" in page

    manifest = {**announcement.manifest, "published_on": "2020-01-01"}
    Announcement.objects.filter(pk=announcement.pk).update(manifest=manifest)
    page = Client().get(url).content.decode()
    assert "签名核验失败" in page

"""Builders shared by the register's tests: a title granted on the platform, the CSV rows of a download."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

from greenmfg.register import services
from greenmfg.register.models import RegisterEntry

JDF = "北京京东方显示技术有限公司"


def grant(**overrides: Any) -> RegisterEntry:
    """A city-level title granted on the platform, as the publication services will record it."""
    values: dict[str, Any] = {
        "source_key": "title:" + str(uuid.uuid4()),
        "kind": "factory",
        "level": "city",
        "grade": "3A级",
        "year": 2026,
        "announced_on": date(2026, 6, 30),
        "announcement_ref": "苏工信节能〔2026〕12号",
        "authority": "苏州市工业和信息化局",
        "region_code": "320506",
        "unit_name": "苏州测试机械有限公司（演示）",
        "credit_code": "91320506MA1XXXXX0Q",
        "industry_code": "34",
        "evaluation_body": "测试评价机构（演示）",
        "published_indicators": [
            {"label": "单位产品综合能耗", "level": "先进值", "value": "0.85", "unit": "tce/t", "raw": 0.8471},
            {"label": "绿色工厂等级", "level": "3A级"},
        ],
    }
    values.update(overrides)
    return services.record_title(**values)


TITLE_FIELDS = {
    "id", "kind", "kind_label", "level", "level_label", "grade", "year", "batch", "batch_label",
    "announced_on", "announcement_ref", "authority", "province", "region", "region_text", "unit_key",
    "unit_name", "credit_code", "industry", "industry_text", "product_name", "product_model",
    "product_category", "standard", "evaluation_body", "highlights", "published_indicators", "source",
    "status", "revoked_on", "revoked_reason",
}  # fmt: skip


def csv_rows(response: Any) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))

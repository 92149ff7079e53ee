import uuid

from django.db import models

from greenmfg.catalog.models import TitleKind, TitleLevel


class EntrySource(models.TextChoices):
    NATIONAL_LIST = "national_list", "国家级名单（第一至六批）"
    PLATFORM = "platform", "本平台发布"


class EntryStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    REVOKED = "revoked", "已撤销"


_NUMERALS = dict(zip("123456789", "一二三四五六七八九", strict=True))


def batch_label(batch: str) -> str:
    """第三批 for "3"; the sixth national batch was named by its year: 2021年度."""
    if not batch:
        return ""
    if len(batch) == 4 and batch.isdigit():
        return f"{batch}年度"
    return f"第{_NUMERALS.get(batch, batch)}批"


class RegisterEntry(models.Model):
    """One published title, denormalised for the public register and open data.

    A read model: written only by ``register.services`` (from the national lists, and from the
    publication services when a title is granted or revoked on the platform), never edited by hand.
    Everything in it is public; nothing that was not published may be copied in.
    """

    # stable across rebuilds and databases (uuid5 of source_key): the id open-data users keep
    public_id = models.UUIDField(unique=True, editable=False)
    source = models.CharField(max_length=16, choices=EntrySource.choices)
    source_key = models.CharField(max_length=200, unique=True)

    kind = models.CharField(max_length=16, choices=TitleKind.choices)
    level = models.CharField(max_length=16, choices=TitleLevel.choices)
    grade = models.CharField(max_length=16, blank=True, help_text="等级，如 3A级；无等级时留空")
    year = models.PositiveSmallIntegerField(help_text="名单年度")
    batch = models.CharField(max_length=8, blank=True, help_text="国家级名单批次；平台发布的称号留空")
    announced_on = models.DateField()
    announcement_ref = models.CharField(max_length=100, blank=True, help_text="公告文号")
    authority = models.CharField(max_length=100, help_text="发布机关")

    province = models.ForeignKey(
        "reference.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "reference.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="已知的最精确行政区划",
    )
    region_text = models.CharField(max_length=64, blank=True, help_text="名单所列地区")

    unit_key = models.CharField(
        max_length=200, db_index=True, help_text="统一社会信用代码，或规范化的单位名称"
    )
    unit_name = models.CharField(max_length=200)
    credit_code = models.CharField(max_length=18, blank=True)
    industry = models.ForeignKey(
        "reference.Industry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    industry_text = models.CharField(max_length=100, blank=True)

    product_name = models.CharField(max_length=300, blank=True)
    product_model = models.TextField(blank=True)
    product_category = models.CharField(max_length=100, blank=True)
    standard = models.CharField(max_length=300, blank=True, help_text="适用评价标准")
    evaluation_body = models.CharField(max_length=200, blank=True)
    highlights = models.TextField(blank=True)
    # only what the bureau chose to publish: [{"label", "level", "value", "unit"}], all strings
    published_indicators = models.JSONField(default=list, blank=True)

    status = models.CharField(max_length=16, choices=EntryStatus.choices, default=EntryStatus.ACTIVE)
    revoked_on = models.DateField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    # NFKC + casefold of unit, product, region and industry text: one LIKE serves Chinese substring
    # search the same way on SQLite and PostgreSQL (both sides are folded, so case never matters)
    search_text = models.TextField(blank=True)
    # search_text as indexed by the full-text index (register.fulltext): written with search_text.
    # On SQLite, triggers copy it into the FTS5 table register_search; a migration that makes Django
    # rebuild this table there (an altered column) drops them: recreate them in that migration.
    search_tokens = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-announced_on", "id"]
        # Public reads always filter on status, so it leads: the list order, the kind/level and
        # province filters, and the counts by kind, level and province are then served from the
        # index alone (see tests/bench/bench_register.py).
        indexes = [
            models.Index(fields=["status", "-announced_on", "id"], name="register_order"),
            models.Index(
                fields=["status", "kind", "level", "-announced_on", "id"], name="register_kind_level"
            ),
            models.Index(fields=["status", "province", "year"], name="register_province_year"),
            models.Index(fields=["year", "batch"], name="register_year_batch"),
            # a target's achieved count: titles of a kind in a region (a code range) by a date, from the
            # index alone (dashboards.selectors.progress)
            models.Index(
                fields=["status", "kind", "region", "level", "announced_on"], name="register_kind_region"
            ),
            # the same for the whole country (a ministry target): titles of a kind by a date, from an index
            # range that holds exactly them (register_kind_level has the level in between)
            models.Index(fields=["status", "kind", "announced_on"], name="register_kind_announced"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="active", revoked_on__isnull=True)
                | models.Q(status="revoked", revoked_on__isnull=False),
                name="register_revoked_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_name}（{self.get_level_display()}{self.get_kind_display()}，{self.year}）"

    @property
    def batch_label(self) -> str:
        if not self.batch:
            return ""
        return batch_label(self.batch)

    @property
    def place(self) -> str:
        """Province and listed place without repeating one inside the other (江苏省, not 江苏省 江苏)."""
        province = self.province.name if self.province is not None else ""
        text = self.region_text
        if not text or province.startswith(text):
            return province
        if not province or text.startswith(province):
            return text
        return f"{province} {text}"

    @property
    def is_revoked(self) -> bool:
        return self.status == EntryStatus.REVOKED


class ExportJob(models.Model):
    """A public download (CSV or Excel of the register or another public list) built by the task worker,
    so that no request holds a web worker for the seconds a 50,000-row file takes. The random id is the
    only handle: the data is public, and the id is not guessable, so no login is needed to fetch it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    class Kind(models.TextChoices):
        TITLES = "titles", "绿色制造名单"
        ANNOUNCEMENTS = "announcements", "称号公告"
        NOTICES = "notices", "公示名单"
        QUALITY = "quality", "数据质量报告"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    extension = models.CharField(max_length=4)  # csv or xlsx
    params = models.JSONField(default=dict, blank=True)  # the validated filters the task re-applies
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)  # data rows written so far
    truncated = models.BooleanField(default=False)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)  # the download's (Chinese) name
    ascii_name = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # the claim of the run building the file (export_jobs.claim): its token, how many runs have claimed
    # the job, and until when the claim holds unless renewed — a worker that dies stops renewing it, and
    # the job is re-run once by another worker or marked failed (export_jobs.reclaim_stale)
    claim = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "lease_until"], name="register_export_lease")]


class TitleTally(models.Model):
    """Active register titles counted by kind, level, year, batch and province: the whole country's
    dashboard reads these few thousand rows instead of grouping 100,000 titles on every view.

    Kept on write by ``register.services`` alone, in the transaction of the write: +1/−1 when a title is
    recorded, re-recorded or revoked, rebuilt whole after a national-list import (``rebuild_tally``).
    Tests hold it equal to the grouped count of the entries."""

    kind = models.CharField(max_length=16, choices=TitleKind.choices)
    level = models.CharField(max_length=16, choices=TitleLevel.choices)
    year = models.PositiveSmallIntegerField()
    batch = models.CharField(max_length=8, blank=True)
    # the province's code, '' when unknown (a plain column, not a key: '' must be a value of the unique key)
    province = models.CharField(max_length=6, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "level", "year", "batch", "province"], name="register_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.level}/{self.year}/{self.batch}/{self.province or '—'}: {self.count}"


class Declaration(models.Model):
    """A titled unit's self-declaration (自我声明) as published: only the indicators its bureau chose to
    show, as strings, public from `published_on` (the platform's calendar). Written by
    ``register.services.record_declaration`` only."""

    entry = models.ForeignKey(RegisterEntry, on_delete=models.CASCADE, related_name="declarations")
    period = models.CharField(max_length=8)  # "2026", "2026H1"
    published_on = models.DateField()
    indicators = models.JSONField(default=list)  # [{"label", "value", "unit"}]

    class Meta:
        ordering = ["-period", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "period"], name="one_declaration_per_entry_period")
        ]

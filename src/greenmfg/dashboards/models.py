from django.conf import settings
from django.db import models

from greenmfg.catalog.models import TitleKind, TitleLevel


class Confidence(models.TextChoices):
    """How a reference figure was checked (the [V]/[S]/[R] tags of the project's standards notes)."""

    VERIFIED = "V", "已核对原文"
    SECONDARY = "S", "转载或二手来源"
    RECALLED = "R", "未核实"


class TargetScope(models.TextChoices):
    MINISTRY = "ministry", "全国"
    PROVINCE = "province", "省级"
    CITY = "city", "地市"
    DISTRICT = "district", "区县"


class Target(models.Model):
    """A count of titles a plan sets for a jurisdiction by a deadline: recorded by a bureau for its own
    jurisdiction, or shipped as reference data (the plans greenmfg was built from) with its source."""

    scope = models.CharField(max_length=16, choices=TargetScope.choices)
    # the jurisdiction's region; none for the ministry, or for a plan that names no real place ('XX市')
    region = models.ForeignKey(
        "reference.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place_text = models.CharField(max_length=64, blank=True, help_text="计划所写的地区，如 XX市")
    kind = models.CharField(max_length=16, choices=TitleKind.choices)
    level = models.CharField(
        max_length=16, choices=TitleLevel.choices, blank=True, help_text="留空：不限级别"
    )
    # the titles asked for; for a target written as a share, the count it means (greencore.required_count
    # of share % of base_count, rounded up), recorded with the share and its base
    count = models.PositiveIntegerField()
    share = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="占比目标（%），如 30.00"
    )
    base_count = models.PositiveIntegerField(null=True, blank=True, help_text="占比的基数")
    base_label = models.CharField(max_length=100, blank=True, help_text="基数是什么，如 规上工业企业数")
    deadline = models.DateField()
    source_document = models.CharField(max_length=300)
    source_ref = models.CharField(max_length=300, blank=True, help_text="出处：网址或资料编号")
    confidence = models.CharField(max_length=1, choices=Confidence.choices, default=Confidence.VERIFIED)
    # reference targets are keyed for idempotent reloading; a bureau's own have no key
    reference_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    authority = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "scope", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share__isnull=True, base_count__isnull=True)
                | models.Q(share__gt=0, share__lte=100, base_count__isnull=False),
                name="dashboards_target_share_has_base",
            )
        ]

    def __str__(self) -> str:
        place = self.place_text or self.region_id or "全国"
        return f"{place} {self.get_kind_display()} {self.count}（{self.deadline}）"


class Backtest(models.Model):
    """A bureau's back-test of one of its local schemes (usually a draft): the past applications of its
    jurisdiction under the scheme's parent re-scored under both with greencore's bulk engine, in the
    background, with progress. `summary` holds what the page shows (greencore.backtest's comparison)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    authority = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    scheme = models.ForeignKey("schemes.LocalScheme", on_delete=models.PROTECT, related_name="+")
    # the scheme and text tested, as they were: a draft may be replaced after the run
    scheme_key = models.CharField(max_length=100)
    scheme_sm3 = models.CharField(max_length=64)
    current_key = models.CharField(max_length=100)  # the parent: what the applications were scored under
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    # the comparison's figures (distributions, grade-to-grade moves); moved units are BacktestMove rows
    summary = models.JSONField(null=True, blank=True)
    # the list of units that move, written by the worker once in each language (a download of any size is
    # never built in a request)
    workbook_zh = models.FileField(upload_to="backtests/%Y/%m/", blank=True)
    workbook_en = models.FileField(upload_to="backtests/%Y/%m/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class BacktestMove(models.Model):
    """One unit whose grade the tested scheme would change: kept as rows, so the results page reads one
    page of them and never the whole result."""

    class Direction(models.TextChoices):
        GAINED = "gained", "等级上升"
        LOST = "lost", "等级下降"

    job = models.ForeignKey(Backtest, on_delete=models.CASCADE, related_name="moved")
    position = models.PositiveIntegerField()  # the order of the past applications (application order)
    application = models.UUIDField()  # the application's public id (reviews:case)
    unit = models.CharField(max_length=200)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    grade_before = models.CharField(max_length=16, blank=True)
    grade_after = models.CharField(max_length=16, blank=True)
    # greencore's Decimal as text, at the scheme's precision and unchanged ('' when not scored)
    score_before = models.CharField(max_length=32, blank=True)
    score_after = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="dashboards_backtestmove_once")
        ]
        indexes = [models.Index(fields=["job", "direction", "position"], name="backtestmove_page")]

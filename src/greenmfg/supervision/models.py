"""After the title (动态管理): spot-check draws, checks and their findings, rectifications, revocations.

The rules (deadlines, exemption, the ban, the draw) are greencore's (`greencore.supervision`); these tables
record what was decided, by whom, on which day, so every step can be audited and a draw re-drawn."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Purpose(models.TextChoices):
    SPOT_CHECK = "spot_check", "抽查"
    RE_CHECK = "re_check", "复核"
    REPORT = "report", "举报核查"  # opened from a social-supervision report; not counted for exemption
    # a spot check of an evaluation body's reports: the unit is checked again and the measured values are
    # compared with the body's (its track record); not counted for the unit's exemption
    BODY_REPORT = "body_report", "评价报告抽查"
    # a city's spot check of a re-check its district did: findings are recorded against that check
    CHECK_REVIEW = "check_review", "区县复核抽查"


class RevocationReason(models.TextChoices):
    FAILED_RECTIFICATION = "failed_rectification", "整改期满未完成整改"
    REFUSED_FILING = "refused_filing", "拒不填报动态管理表"
    FALSIFIED_DATA = "falsified_data", "填报数据弄虚作假"
    MAJOR_ACCIDENT = "major_accident", "发生重大安全、质量或环境污染事故"
    NEGATIVE_LIST = "negative_list", "出现负面清单事项"


class Draw(models.Model):
    """One sample drawn by a bureau: the seed, the population in the order it was drawn from (with each
    unit's weight), the size, and the sample. `greencore.draw_sample(seed, population, size, weights)`
    gives the same sample again, anywhere (see `selectors.redraw`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    authority = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    title_kind = models.CharField(max_length=16)
    level = models.CharField(max_length=16)
    seed = models.CharField(max_length=64)
    algorithm = models.CharField(max_length=32)
    weighted = models.BooleanField(default=False)
    # [[title public id, weight], ...] in the recorded order: the draw's whole input besides the seed
    population = models.JSONField(default=list)
    # [[title public id, first day it may be drawn again], ...]: exempt after three clean spot checks
    exempted = models.JSONField(default=list)
    size = models.PositiveIntegerField()
    sample = models.JSONField(default=list)  # title public ids, in drawn order
    drawn_on = models.DateField()
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(auto_now_add=True)
    # a draw of one evaluation body's reports: the population is the titles it evaluated
    body = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-drawn_at", "-pk"]


class Check(models.Model):
    """A spot check (抽查) or re-check (复核) of one title, with its findings; concluded clean or not."""

    class Status(models.TextChoices):
        OPEN = "open", "检查中"
        CLEAN = "clean", "合格"
        NONCONFORMING = "nonconforming", "不合格（须整改）"

    class Checker(models.TextChoices):
        BUREAU = "bureau", "主管部门现场检查"
        EXPERT = "expert", "专家现场检查"
        EVALUATION_BODY = "evaluation_body", "第三方评价机构"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    draw = models.ForeignKey(Draw, null=True, blank=True, on_delete=models.PROTECT, related_name="checks")
    title = models.ForeignKey("publication.Title", on_delete=models.PROTECT, related_name="+")
    authority = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    checker = models.CharField(max_length=16, choices=Checker.choices, default=Checker.BUREAU)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    concluded_on = models.DateField(null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # a city's check of a district's concluded check (purpose check_review): the check it reviews
    reviewed = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]


class Finding(models.Model):
    """What a check found on one point, with evidence: conforming or not."""

    check_of = models.ForeignKey(Check, on_delete=models.PROTECT, related_name="findings")
    conforms = models.BooleanField()
    text = models.TextField()
    # values measured on site: {indicator id: decimal text in the indicator's unit}; compared with the
    # evaluation body's values of the same title for the body's track record
    measured = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]


class Rectification(models.Model):
    """整改: opened by a non-conforming check, due three months later; the unit answers with evidence, the
    bureau closes it, or revokes the title once it is overdue."""

    class Status(models.TextChoices):
        OPEN = "open", "整改中"
        ANSWERED = "answered", "已提交整改报告"
        CLOSED = "closed", "整改完成"
        REVOKED = "revoked", "逾期未整改，称号已撤销"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    check_of = models.OneToOneField(Check, on_delete=models.PROTECT, related_name="rectification")
    title = models.ForeignKey("publication.Title", on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]


class EvidenceFile(models.Model):
    """A file behind a finding or a rectification answer: stored under a server-made name, SM3-digested
    after the same content checks as every upload (evidence.validation)."""

    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    rectification = models.ForeignKey(
        Rectification, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    filing = models.ForeignKey(
        "Filing", null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    # a filing's evidence for one key indicator (its id); empty for a filing's other files and elsewhere
    indicator = models.CharField(max_length=64, blank=True, default="")
    file = models.FileField(upload_to="supervision/%Y/%m/")
    file_name = models.CharField(max_length=200)
    sm3 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finding__isnull=False, rectification__isnull=True, filing__isnull=True)
                | models.Q(finding__isnull=True, rectification__isnull=False, filing__isnull=True)
                | models.Q(finding__isnull=True, rectification__isnull=True, filing__isnull=False),
                name="supervision_file_has_one_owner",
            )
        ]


class Revocation(models.Model):
    """The decision to revoke a title (撤销): why, on which day, by whom, and the day the unit may apply
    again at that level (three years later: `greencore.may_apply_from`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.OneToOneField("publication.Title", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=32, choices=RevocationReason.choices)
    details = models.TextField()
    rectification = models.OneToOneField(
        Rectification, null=True, blank=True, on_delete=models.PROTECT, related_name="revocation"
    )
    revoked_on = models.DateField()
    may_apply_from = models.DateField()
    authority = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-revoked_on", "-pk"]


class FilingDeadline(models.Model):
    """The day a bureau sets for the 动态管理表 of the titles it supervises; only an earlier day than the
    national 15 April takes effect (greencore.filing_deadline)."""

    authority = models.OneToOneField("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    month = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField()
    # the level's rule (Suzhou, seeds/003): a filing missing past its deadline bars a higher tier
    blocks_higher_tier = models.BooleanField(default=False)
    # the key indicators whose evidence this level's filings require (greencore.evidence_rule `chosen`);
    # None: the shipped rule for the title's level (workflow/filing.yaml)
    evidence_required = models.JSONField(null=True, blank=True, default=None)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)


class Filing(models.Model):
    """One year's 动态管理表 of one title: the key indicators filed, the data-quality problems found and the
    unit's justification, and what the accepted filing gave (a score, or no grade with the reason)."""

    class Status(models.TextChoices):
        OPEN = "open", "待填报"
        ACCEPTED = "accepted", "已受理"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.ForeignKey("publication.Title", on_delete=models.PROTECT, related_name="+")
    authority = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    deadline = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    # {indicator id: {"value": text as filed, "unit": unit as filed}}; computed by greencore when the unit
    # filed raw data (`raw`: the dossier's raw-data form fields, {key: text})
    values = models.JSONField(default=dict)
    raw = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list)  # [{indicator, check, severity, zh, en}] at acceptance
    justification = models.TextField(blank=True)
    # what the unit typed in a submission refused for its data ({"values": {id: [value, unit]}, "raw": {...},
    # "justification": ...}), shown again on its form until it files; the unit's own, never the bureau's
    draft = models.JSONField(default=dict, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    late = models.BooleanField(default=False)
    escalated_on = models.DateField(null=True, blank=True)
    # the re-score under the title's scheme (None: no grade this year, never a zero) and the green code
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    no_grade_reason = models.CharField(max_length=300, blank=True)
    green_code = models.CharField(max_length=8, blank=True)
    green_code_in_industry = models.CharField(max_length=8, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "pk"]
        constraints = [models.UniqueConstraint(fields=["title", "year"], name="one_filing_per_title_year")]
        indexes = [models.Index(fields=["authority", "year", "status"], name="filing_round")]


class Reminder(models.Model):
    """A reminder due before a filing's deadline, or the escalation due the day after it: processed by the
    `process_reminders` background task, which records when it ran."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "填报提醒"
        ESCALATION = "escalation", "逾期上报"

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    due_on = models.DateField()
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=32, blank=True)  # sent | escalated | not_needed

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["filing", "kind", "due_on"], name="one_reminder_per_day")
        ]
        indexes = [models.Index(fields=["processed_at", "due_on"], name="reminder_due")]


class RegradeJob(models.Model):
    """A re-grading of one bureau's filing round (a background task), with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    authority = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    graded = models.PositiveIntegerField(default=0)
    # the outcome (or why it failed) in Chinese, and in English (`outcome` gives both, for the page)
    message = models.CharField(max_length=300, blank=True)
    message_en = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @property
    def outcome(self) -> tuple[str, str]:
        return self.message, self.message_en


class Report(models.Model):
    """社会监督: anyone reports a titled unit under their real name, with grounds and evidence. Like an
    objection (publication.Objection) it counts only once the e-mail code comes back (`unverified` until
    then, `expired` when it lapses); the supervising bureau upholds or dismisses it with reasons, and may
    open a check of the title from it. An upheld report weighs on the title in risk-weighted draws."""

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", "待验证"
        RECEIVED = "received", "待处理"
        UPHELD = "upheld", "举报属实"
        DISMISSED = "dismissed", "举报不属实"
        EXPIRED = "expired", "未验证，已失效"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.ForeignKey("publication.Title", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=64)
    contact = models.CharField(max_length=64)
    organisation = models.CharField(max_length=128, blank=True)
    grounds = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNVERIFIED)
    # the one-time code: only its keyed digest is kept, until it is used or lapses
    code_digest = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # the check the bureau opened from this report, if any
    check_opened = models.OneToOneField(
        Check, null=True, blank=True, on_delete=models.PROTECT, related_name="report"
    )

    class Meta:
        ordering = ["-received_at", "-pk"]


class ReportFile(models.Model):
    """Evidence behind a report: after the same content checks as every upload (evidence.validation)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="reports/%Y/%m/")
    file_name = models.CharField(max_length=200)
    sm3 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()


class ChangeEvent(models.Model):
    """A titled unit's declared change (变更): of name, a merger, or of its site boundary. The supervising
    bureau accepts it (a new name then reaches the organisation and the public register; this row keeps
    the old one) or requires a re-check of the title, which opens a check."""

    class Kind(models.TextChoices):
        NAME = "name", "单位名称变更"
        MERGER = "merger", "兼并重组"
        SITE = "site", "厂区边界变化"

    class Status(models.TextChoices):
        DECLARED = "declared", "待审核"
        ACCEPTED = "accepted", "已确认变更"
        RECHECK = "recheck", "须复核"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.ForeignKey("publication.Title", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    old_name = models.CharField(max_length=128)  # the unit's name when it declared
    new_name = models.CharField(max_length=128, blank=True)  # name change, merger: the name after it
    details = models.TextField()
    declared_on = models.DateField()
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DECLARED)
    decision_reason = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    check_opened = models.OneToOneField(
        Check, null=True, blank=True, on_delete=models.PROTECT, related_name="change_event"
    )

    class Meta:
        ordering = ["-declared_on", "-pk"]


class DeclarationSetting(models.Model):
    """What a bureau's titled units declare (自我声明) and what of it the public register shows: the
    cadence on the platform's calendar (greencore.DeclarationPeriod) and the indicators shown."""

    authority = models.OneToOneField("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    cadence = models.CharField(max_length=16, default="yearly")  # greencore.Cadence
    shown = models.JSONField(default=list)  # indicator ids the register shows
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)


class SelfDeclaration(models.Model):
    """自我声明: the indicator levels a titled unit declares for one period, within the period's window;
    published on the register from the period's publication day, as far as the bureau chose to show."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.ForeignKey("publication.Title", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=8)  # "2026", "2026H1"
    values = models.JSONField(default=dict)  # {indicator id: decimal text in the indicator's unit}
    declared_on = models.DateField()
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-period", "pk"]
        constraints = [models.UniqueConstraint(fields=["title", "period"], name="one_declaration_per_period")]

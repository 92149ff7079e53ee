import uuid

from django.conf import settings
from django.db import models


class Decision(models.Model):
    """One bureau's decision on one application at one step of the review chain, with its reasons."""

    class Outcome(models.TextChoices):
        PASSED = "passed", "通过"
        FORWARDED = "forwarded", "已转报"
        NOT_FORWARDED = "not_forwarded", "未获转报"
        RETURNED = "returned", "退回修改"
        REJECTED = "rejected", "不予通过"
        PUBLICITY = "publicity", "进入公示"
        # the step's own level grants the grade (Suzhou's districts: 1A and 2A, seeds/003): the application
        # waits for this bureau's publicity notice instead of going on
        GRADED = "graded", "本级评定"

    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+")
    step = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=16)
    authority = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reasons = models.TextField()
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["application", "decided_at", "pk"]


class ExpertProfile(models.Model):
    """An expert of the pool: fields of expertise; employer is the organisation of their membership."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert")
    fields = models.JSONField(default=list, blank=True)  # e.g. ["factory", "energy", "C34"]
    title = models.CharField(max_length=64, blank=True)  # 职称
    active = models.BooleanField(default=True)


class ExpertRelation(models.Model):
    """A relation the expert declared with an organisation (consulted for it, evaluated it, family …)."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="relations")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)
    note = models.CharField(max_length=200, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["expert", "organisation", "kind"], name="expert_relation_once")
        ]


class Assignment(models.Model):
    """An expert on the panel of one application at one step, with the window in which they may see it."""

    class Status(models.TextChoices):
        ACTIVE = "active", "评审中"
        SIGNED = "signed", "已签署"
        WITHDRAWN = "withdrawn", "已撤销"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="assignments"
    )
    step = models.PositiveSmallIntegerField()
    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    signed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=200, blank=True)
    manifest = models.JSONField(null=True, blank=True)  # the signed-off scores
    signature = models.JSONField(null=True, blank=True)  # SM2 envelope (audit.signing)

    class Meta:
        ordering = ["application", "step", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "step", "expert"],
                condition=~models.Q(status="withdrawn"),
                name="one_live_assignment_per_expert",
            )
        ]


class ExpertScore(models.Model):
    """One expert's points for one indicator (independent: experts never see each other's scores)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.CharField(max_length=64)
    points = models.DecimalField(max_digits=7, decimal_places=2)
    comment = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "indicator"], name="one_score_per_indicator")
        ]


class CreditCheck(models.Model):
    """The result of checking the applicant against 信用中国 and the national enterprise credit system."""

    class Source(models.TextChoices):
        CREDIT_CHINA = "creditchina", "信用中国"
        GSXT = "gsxt", "国家企业信用信息公示系统"

    class Outcome(models.TextChoices):
        CLEAR = "clear", "未发现负面记录"
        HIT = "hit", "命中负面清单"

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="credit_checks"
    )
    step = models.PositiveSmallIntegerField()
    checked_on = models.DateField()
    source = models.CharField(max_length=16, choices=Source.choices)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    negative_item = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)
    file = models.FileField(upload_to="credit/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_sm3 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "recorded_at"]


class Meeting(models.Model):
    """会议讨论 at a review step ('XX市', seeds/004): when it met, who attended, what it decided, and its
    minutes (a file, SM3-digested as evidence is)."""

    class Outcome(models.TextChoices):
        AGREED = "agreed", "同意"
        DECLINED = "declined", "不同意"

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="meetings"
    )
    step = models.PositiveSmallIntegerField()
    held_on = models.DateField()
    attendees = models.TextField()
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    decision = models.TextField()
    minutes = models.FileField(upload_to="meetings/%Y/%m/")
    minutes_name = models.CharField(max_length=200)
    minutes_sm3 = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "recorded_at", "pk"]

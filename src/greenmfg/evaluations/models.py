import uuid

from django.conf import settings
from django.db import models

from greenmfg.applications.models import ScoredAnswers


class EngagementStatus(models.TextChoices):
    ENGAGED = "engaged", "评价中"
    CONCLUDED = "concluded", "已出具评价结论"
    DECLINED = "declined", "评价机构已拒绝"
    ENDED = "ended", "已终止"


# an engagement in force: the one the review chain reads, and the ones the quota counts
CURRENT = (EngagementStatus.ENGAGED, EngagementStatus.CONCLUDED)


class Engagement(ScoredAnswers):
    """An applicant's engagement of a third-party evaluation body for one application, and the body's
    evaluation: its own values for every field, the result greencore computed from them, the conclusion.

    The evaluator's answers use the dossier's text form ({"inputs": …, "raw": …}); concluding freezes them
    with a manifest SM3, as submission freezes a Dossier.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="engagements"
    )
    body = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="engagements")
    year = models.PositiveSmallIntegerField(db_index=True)  # the quota year: when the body was engaged
    status = models.CharField(
        max_length=16, choices=EngagementStatus.choices, default=EngagementStatus.ENGAGED, db_index=True
    )
    engaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    engaged_at = models.DateTimeField()
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    # answers.Answers as JSON, None until the evaluator first saves; revision, result (greencore.result/1,
    # from the evaluator's values), score and grade come with ScoredAnswers
    answers = models.JSONField(null=True, blank=True)
    conclusion = models.TextField(blank=True)
    # set at conclusion: the frozen self-evaluation compared against and the margin then in force, so the
    # flags of a concluded evaluation never move when the call's margin is edited later
    dossier = models.ForeignKey(
        "applications.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    score_margin = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concluded_at = models.DateTimeField(null=True, blank=True)
    manifest_sm3 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-engaged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status__in=["engaged", "concluded"]),
                name="one_current_engagement_per_application",
            )
        ]
        indexes = [models.Index(fields=["body", "year", "status"])]

    def __str__(self) -> str:
        return f"{self.body} → {self.application}"

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT


class FindingKind(models.TextChoices):
    DOCUMENT_CHECK = "document_check", "文件核查"
    INTERVIEW = "interview", "人员访谈"
    FIELD_CHECK = "field_check", "现场核查"


class Finding(models.Model):
    """An on-site finding of the evaluation, optionally with a file checked like evidence (by content,
    SM3, stored under a server-made name)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="findings")
    kind = models.CharField(max_length=16, choices=FindingKind.choices)
    indicator = models.CharField(max_length=64, blank=True)
    description = models.TextField()
    file_name = models.CharField(max_length=200, blank=True)
    file_kind = models.CharField(max_length=16, blank=True)
    file_mime = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    file_sm3 = models.CharField(max_length=64, blank=True)
    storage_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.description[:30]}"


class ConflictKind(models.TextChoices):
    CONSULTED = "consulted", "曾为申报单位提供咨询服务"
    OWNERSHIP = "ownership", "存在股权或投资关联"
    OTHER = "other", "其他利害关系"


class ConflictDeclaration(models.Model):
    """A declared conflict of interest between an evaluation body and an applicant organisation, declared
    by either side. While one exists the body cannot be engaged by that applicant, and declaring one ends
    any engagement in force between them."""

    body = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ConflictKind.choices)
    note = models.TextField()
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_by_organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField()

    class Meta:
        ordering = ["-declared_at"]
        indexes = [models.Index(fields=["body", "applicant"])]

    def __str__(self) -> str:
        return f"{self.body} × {self.applicant}：{self.get_kind_display()}"

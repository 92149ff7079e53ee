import uuid

from django.conf import settings
from django.db import models


class Application(models.Model):
    """An organisation's application (申报) to one call. Its state follows greencore's workflow table."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey("catalog.Call", on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="applications")
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, default="draft", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    return_deadline = models.DateField(null=True, blank=True)
    # the items a bureau reopened when it returned the application (form section ids); empty: all
    reopened_items = models.JSONField(default=list, blank=True)
    review_step = models.PositiveSmallIntegerField(default=0)  # index into the call's review chain
    step_due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["call", "applicant"], name="one_application_per_call")]

    def __str__(self) -> str:
        return f"{self.applicant} — {self.call}"


class ScoredAnswers(models.Model):
    """What a self-evaluation form holds once scored, beside its answers (`answers.Answers` as JSON): the
    result greencore computed, its score and its grade (`dossier.store_result` writes them). The dossier's
    versions keep one, and so does the third-party evaluation of them (evaluations.Engagement)."""

    revision = models.PositiveIntegerField(default=0)  # bumped by every saved field
    result = models.JSONField(null=True, blank=True)  # greencore.result/1
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    grade = models.CharField(max_length=32, blank=True)

    class Meta:
        abstract = True


class Dossier(ScoredAnswers):
    """One version of the self-evaluation: the answers as typed and the result greencore computed.

    The draft is the one unfrozen version; submitting freezes it, and later edits go into a new version.
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    answers = models.JSONField(default=dict)  # answers.Answers: {"inputs": {key: text}, "raw": {key: text}}
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    manifest_sm3 = models.CharField(max_length=64, blank=True)
    manifest = models.JSONField(null=True, blank=True)  # what was submitted, as signed
    signature = models.JSONField(null=True, blank=True)  # SM2 envelope (audit.signing)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="dossier_version_number"),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(frozen_at__isnull=True),
                name="one_draft_per_application",
            ),
        ]


class ImportJob(models.Model):
    """A workbook import run by the background worker, with its progress for the user to watch."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "处理中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    file = models.FileField(upload_to="imports/%Y/%m/")
    file_name = models.CharField(max_length=200)
    # the SM3 the checked-file service computed when it stored the file; the worker re-checks it
    file_sm3 = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]

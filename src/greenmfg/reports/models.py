import uuid

from django.conf import settings
from django.db import models


class Document(models.Model):
    """One generated document of an application, in one format. Never regenerated in place: a new request
    is a new row with the next number, so "version n" of a document always names the same bytes."""

    class Kind(models.TextChoices):
        SELF_EVALUATION = "self_evaluation", "自评价报告"
        THIRD_PARTY = "third_party", "第三方评价报告"
        PACKAGE = "package", "申报材料汇编（PDF）"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF 文件"
        DOCX = "docx", "Word 文件"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="documents"
    )
    # the data version: the self-evaluation version (and its revision) the document was made from
    dossier = models.ForeignKey("applications.Dossier", on_delete=models.PROTECT, related_name="+")
    dossier_number = models.PositiveIntegerField()
    dossier_revision = models.PositiveIntegerField()
    # a third-party report: the concluded evaluation it reports (its dossier is the version compared)
    engagement = models.ForeignKey(
        "evaluations.Engagement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    format = models.CharField(max_length=8, choices=Format.choices)
    number = models.PositiveIntegerField()  # the document's version among this application's of this kind
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    storage_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sm3 = models.CharField(max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["application", "kind", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "number"], name="document_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} 第 {self.number} 版"

    @property
    def file_name(self) -> str:
        return f"{self.get_kind_display()}-第{self.number}版.{self.format}"


class Certificate(models.Model):
    """The certificate of one granted title, issued once: its verification code is what the public
    verify page looks up, and its SM3 names the PDF that was issued."""

    Status = Document.Status

    title = models.OneToOneField("publication.Title", on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(max_length=20, unique=True)  # XXXX-XXXX-XXXX, from an alphabet without 0/O/1/I
    # the worker renders the PDF: until it is done the row holds the code only
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DONE)
    message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    storage_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sm3 = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.code


class IssuedDocument(models.Model):
    """A document issued outside an application: a unit's filing confirmation, a bureau's yearly summary of
    its filing round, a publicity notice or an announcement as PDF. Like `Document`, each is a numbered
    version that is never regenerated in place, made by the worker, stored with its SM3 digest (checked
    again on every download), and a copy can be checked against it."""

    class Kind(models.TextChoices):
        FILING_CONFIRMATION = "filing_confirmation", "动态管理表受理回执"
        ROUND_SUMMARY = "round_summary", "动态管理年度汇总"
        PUBLICITY_NOTICE = "publicity_notice", "公示"
        ANNOUNCEMENT = "announcement", "公告"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF 文件"
        XLSX = "xlsx", "Excel 文件"

    Status = Document.Status

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    format = models.CharField(max_length=8, choices=Format.choices)
    # what the document is about: the filing's, notice's or announcement's public id, or
    # "<authority public id>/<year>" for a round; `label` names it for people
    subject = models.CharField(max_length=80)
    label = models.CharField(max_length=200)
    authority = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    filing = models.ForeignKey(
        "supervision.Filing", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField()
    # the SM3 of the data the document was made from (a public notice is stored once per state of its data)
    data_sm3 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    storage_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sm3 = models.CharField(max_length=64, blank=True, db_index=True)
    # none for a public notice's copy, stored on a public request
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # a public notice's or announcement's PDF the worker could not make (reports.notices): how many times it
    # failed for this state of its data, and when last; the reason is `message`. Shown to the bureau that
    # issued it, never to the public (whose page keeps saying it is being prepared).
    attempts = models.PositiveIntegerField(default=0)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "subject", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "format", "number"], name="issued_document_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} 第 {self.number} 版"

    @property
    def file_name(self) -> str:
        return f"{self.label}-第{self.number}版.{self.format}"

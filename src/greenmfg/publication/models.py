import uuid

from django.conf import settings
from django.db import models


class HistoricalTitle(models.Model):
    """A title from the national lists (国家级绿色制造名单, batches 1–6), imported as published."""

    kind = models.CharField(max_length=16, db_index=True)
    batch = models.CharField(max_length=8, db_index=True)
    announced = models.DateField()
    listed_region = models.CharField(max_length=32)
    province = models.ForeignKey(
        "reference.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_name = models.CharField(max_length=200, db_index=True)
    industry = models.CharField(max_length=100, blank=True)
    evaluation_body = models.CharField(max_length=200, blank=True)
    product_name = models.CharField(max_length=300, blank=True)
    product_model = models.TextField(blank=True)
    recommending_unit = models.CharField(max_length=200, blank=True)
    product_category = models.CharField(max_length=100, blank=True)
    highlights = models.TextField(blank=True)
    standard = models.CharField(max_length=300, blank=True)
    source_file = models.CharField(max_length=64)
    source_row = models.PositiveIntegerField()

    class Meta:
        ordering = ["kind", "batch", "source_row"]
        constraints = [
            models.UniqueConstraint(fields=["source_file", "source_row"], name="historical_title_source")
        ]

    def __str__(self) -> str:
        return f"{self.unit_name}（第{self.batch}批）"


class ImportIssue(models.Model):
    """A row of a national list the import could not take, or took after correcting it."""

    source_file = models.CharField(max_length=64)
    source_row = models.PositiveIntegerField()
    severity = models.CharField(max_length=16)
    field = models.CharField(max_length=32)
    reason_zh = models.CharField(max_length=300)
    reason_en = models.CharField(max_length=300)
    original = models.TextField(blank=True)
    corrected = models.TextField(blank=True)

    class Meta:
        ordering = ["source_file", "source_row"]


class PublicityNotice(models.Model):
    """公示: the candidates of one call's last step, open to objections for a fixed window."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey("catalog.Call", on_delete=models.PROTECT, related_name="+")
    authority = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    opens_on = models.DateField()
    closes_on = models.DateField()  # the last day on which an objection is received
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # set when the list is published
    # the review step whose bureau grants the titles: the last step, or a step whose level grades itself
    # (Suzhou's districts, 1A and 2A); null on notices made before steps other than the last could grant
    step = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_on", "-pk"]


class PublicityEntry(models.Model):
    class Status(models.TextChoices):
        LISTED = "listed", "公示中"
        REMOVED = "removed", "异议成立，已移出"
        PUBLISHED = "published", "已公布"

    notice = models.ForeignKey(PublicityNotice, on_delete=models.PROTECT, related_name="entries")
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="publicity_entry"
    )
    unit_name = models.CharField(max_length=200)
    region_name = models.CharField(max_length=64)
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    grade = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.LISTED)

    class Meta:
        ordering = ["notice", "-score", "pk"]


class Objection(models.Model):
    """A real-name objection received during the window; the bureau upholds or dismisses it, with reasons.

    It counts only once its contact is verified: a one-time code goes to the e-mail given, and until the
    objector types it back the objection is `unverified`; unverified ones lapse (`expired`) and never hold
    the publication. The bureau may set aside an abusive one, with reasons (`set_aside`)."""

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", "待验证"
        RECEIVED = "received", "待处理"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"
        SET_ASIDE = "set_aside", "不予受理"
        EXPIRED = "expired", "未验证，已失效"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    notice = models.ForeignKey(PublicityNotice, on_delete=models.PROTECT, related_name="objections")
    entry = models.ForeignKey(PublicityEntry, on_delete=models.PROTECT, related_name="objections")
    name = models.CharField(max_length=64)
    contact = models.CharField(max_length=64)
    organisation = models.CharField(max_length=128, blank=True)
    grounds = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # the one-time code: only its keyed digest is kept, until it is used or lapses
    code_digest = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at"]


class ObjectionFile(models.Model):
    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="objections/%Y/%m/")
    file_name = models.CharField(max_length=200)
    sm3 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()


class Announcement(models.Model):
    """A numbered announcement publishing a list (e.g. 苏工信节〔2026〕1号)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    authority = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    call = models.ForeignKey("catalog.Call", on_delete=models.PROTECT, related_name="+")
    notice = models.OneToOneField(PublicityNotice, on_delete=models.PROTECT, related_name="announcement")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    published_on = models.DateField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    manifest = models.JSONField(null=True, blank=True)  # the list as announced
    signature = models.JSONField(null=True, blank=True)  # SM2 envelope (audit.signing)

    class Meta:
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "year", "sequence"], name="announcement_sequence")
        ]


class Title(models.Model):
    """A title granted on the platform: kind, level, grade, valid from, and the announcement granting it."""

    class Status(models.TextChoices):
        ACTIVE = "active", "有效"
        REVOKED = "revoked", "已撤销"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="titles")
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="title"
    )
    announcement = models.ForeignKey(Announcement, on_delete=models.PROTECT, related_name="titles")
    kind = models.CharField(max_length=16)
    level = models.CharField(max_length=16)
    grade = models.CharField(max_length=16, blank=True)  # the scheme's grade id, e.g. 3A
    grade_label = models.CharField(max_length=64, blank=True)
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    scheme = models.CharField(max_length=96)  # id@version
    valid_from = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    published_indicators = models.JSONField(default=list, blank=True)
    # set once, by `services.revoke_title` (supervision decides; the register shows both); no constraint
    # ties them to the status, so titles revoked before these fields existed stay valid rows
    revoked_on = models.DateField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-valid_from", "pk"]


class GradeChange(models.Model):
    """A grade raised by a higher title (e.g. Suzhou: a provincial title makes a 3A factory 4A)."""

    title = models.ForeignKey(Title, on_delete=models.PROTECT, related_name="grade_changes")
    from_grade = models.CharField(max_length=16)
    to_grade = models.CharField(max_length=16)
    to_label = models.CharField(max_length=64)
    because_of = models.ForeignKey(Title, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)


class Filing(models.Model):
    """备案: a district's grading announcement filed with the city bureau that runs the call (seeds/003:
    "将评价结果报市工业和信息化局备案"). Written by `services.publish` with the announcement; the city reads
    the filed titles through the announcement."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    announcement = models.OneToOneField(Announcement, on_delete=models.PROTECT, related_name="filing")
    filed_by_authority = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    filed_with = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]

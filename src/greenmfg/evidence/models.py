import uuid

from django.conf import settings
from django.db import models


class EvidenceFile(models.Model):
    """A file attached to one indicator of an application. Never overwritten: a replacement is a new row
    that points at the one it replaces, and submission freezes every current file."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="evidence"
    )
    indicator = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16)
    mime = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sm3 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)
    version = models.PositiveIntegerField(default=1)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    frozen_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["indicator", "uploaded_at"]

    def __str__(self) -> str:
        return self.name

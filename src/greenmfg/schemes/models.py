from django.conf import settings
from django.db import models


class LocalScheme(models.Model):
    """A bureau's local scheme (the YAML format greencore loads), derived from a parent. A draft may be
    replaced; adopting it fixes the text (its SM3 is kept and checked on every load): an adopted version is
    never edited in place, a change is a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ADOPTED = "adopted", "已采用"

    bureau = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    scheme_id = models.CharField(max_length=64)
    version = models.CharField(max_length=32)
    parent_key = models.CharField(max_length=100)
    title = models.CharField(max_length=200)
    text = models.TextField()
    text_sm3 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scheme_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["scheme_id", "version"], name="one_local_scheme_version")
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        return f"{self.scheme_id}@{self.version}"

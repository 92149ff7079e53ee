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

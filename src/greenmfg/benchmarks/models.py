from django.conf import settings
from django.db import models


class Mark(models.TextChoices):
    """How far a number was checked (docs: V/S/R marks on every scheme number)."""

    VERIFIED = "V", "V 已核实"
    SECONDARY = "S", "S 二手来源"
    PLACEHOLDER = "R", "R 待核实"


class BenchmarkImport(models.Model):
    """One workbook a bureau imported: the file (kept through the checked-file service, with its SM3) and
    how many values it set."""

    bureau = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    file = models.CharField(max_length=255)  # storage name in the checked-file service
    file_name = models.CharField(max_length=255)
    file_sm3 = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class BenchmarkValue(models.Model):
    """One published value a bureau maintains (greencore.BenchmarkValue): for a GB/T 4754 code prefix and,
    if given, one product, from `year` on, the scheme input `input_id` takes `value`."""

    bureau = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    industry = models.CharField(max_length=4)
    product = models.CharField(max_length=64, blank=True)
    year = models.PositiveSmallIntegerField()
    input_id = models.CharField(max_length=64)
    value = models.DecimalField(max_digits=16, decimal_places=6)
    unit = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=300)
    mark = models.CharField(max_length=1, choices=Mark.choices)
    imported = models.ForeignKey(BenchmarkImport, on_delete=models.PROTECT, related_name="values")

    class Meta:
        ordering = ["industry", "product", "input_id", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "industry", "product", "year", "input_id"], name="one_benchmark_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.industry} {self.product} {self.year} {self.input_id}={self.value}"

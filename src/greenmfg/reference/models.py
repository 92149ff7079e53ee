from django.db import models

from greencore import region_prefix


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "地市级"
    COUNTY = "county", "区县级"


class Region(models.Model):
    """An administrative division (GB/T 2260). Codes nest: 32xxxx lies in 320000, 3205xx in 320500."""

    code = models.CharField(max_length=6, primary_key=True)
    name = models.CharField(max_length=64)
    level = models.CharField(max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """The code prefix every division inside this one shares (greencore.region_prefix)."""
        return region_prefix(self.code, self.level)

    def full_name(self) -> str:
        names = [self.name]
        parent = self.parent
        while parent is not None:
            if parent.name not in ("市辖区", "县"):
                names.append(parent.name)
            parent = parent.parent
        return "".join(reversed(names))


class Industry(models.Model):
    """GB/T 4754-2017 国民经济行业分类: 门类 (letter), 大类 (2 digits), 中类 (3 digits)."""

    code = models.CharField(max_length=5, primary_key=True)
    name = models.CharField(max_length=128)
    level = models.CharField(max_length=16)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    verified = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "industries"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

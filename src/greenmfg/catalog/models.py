from django.db import models


class TitleKind(models.TextChoices):
    FACTORY = "factory", "绿色工厂"
    PARK = "park", "绿色工业园区"
    SUPPLY_CHAIN = "supply_chain", "绿色供应链管理企业"
    PRODUCT = "product", "绿色设计产品"


class TitleLevel(models.TextChoices):
    # Suzhou's districts grade 1A and 2A under their own announcement (seeds/003); no call is district-level
    DISTRICT = "district", "区县级"
    CITY = "city", "市级"
    PROVINCE = "province", "省级"
    NATIONAL = "national", "国家级"


class Call(models.Model):
    """申报批次: who may apply for which title, under which pinned scheme version, until when."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=128)
    title_kind = models.CharField(max_length=16, choices=TitleKind.choices)
    level = models.CharField(max_length=16, choices=TitleLevel.choices)
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, related_name="+")
    authority = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="calls")
    scheme_id = models.CharField(max_length=64)
    scheme_version = models.CharField(max_length=32)
    opens_on = models.DateField()
    closes_on = models.DateField()
    review_chain = models.JSONField(default=list, help_text="审核层级，如 ['district', 'city']")
    requires_third_party = models.BooleanField(
        default=False, help_text="是：须经第三方评价；否：仅接受自评价（如2025年国家级批次）"
    )
    score_margin = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=2,
        help_text="同一指标第三方评分与自评分之差超过该分值时，标记给审核人员",
    )
    eligibility = models.JSONField(default=dict, blank=True)
    notice = models.TextField(blank=True)

    class Meta:
        ordering = ["-opens_on", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")), name="call_dates")
        ]

    def __str__(self) -> str:
        return self.name

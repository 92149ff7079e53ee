from django.conf import settings
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


class CallCalendar(models.Model):
    """A call's calendar (greencore.check_calendar): the date by which each review step is done (by step
    index of the chain), the date of the key-enterprise list (对标摸底名单), and how many applications each
    province bureau may recommend upward. A call without one reviews by each step's days."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="calendar")
    step_dates = models.JSONField(default=list, help_text="各审核环节完成日期（按审核顺序）")
    key_list_due = models.DateField(null=True, blank=True)
    quota = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class KeyListEntry(models.Model):
    """One unit on a bureau's key-enterprise list (对标摸底名单) for a call: the enterprises and parks it
    expects to apply, reported by the calendar's date."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="key_list")
    bureau = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["bureau_id", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["call", "unit"], name="key_list_once_per_unit")]

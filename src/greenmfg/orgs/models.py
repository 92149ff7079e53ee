from django.conf import settings
from django.db import models
from django.db.models import Q


class OrgKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    PARK = "park", "园区"
    EVALUATION_BODY = "evaluation_body", "第三方评价机构"
    AUTHORITY = "authority", "主管部门"
    INSTITUTION = "institution", "科研院所及其他"


class AuthorityLevel(models.TextChoices):
    DISTRICT = "district", "区县"
    CITY = "city", "地市"
    PROVINCE = "province", "省级"
    MINISTRY = "ministry", "工业和信息化部"


class OrgStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    ACTIVE = "active", "已确认"
    REJECTED = "rejected", "未通过"
    # an evaluation body's listing (greencore.LISTING_TRANSITIONS): suspended or removed by its bureau
    SUSPENDED = "suspended", "已暂停"
    REMOVED = "removed", "已除名"


class Organisation(models.Model):
    kind = models.CharField(max_length=20, choices=OrgKind.choices)
    name = models.CharField(max_length=128)
    credit_code = models.CharField("统一社会信用代码", max_length=18, null=True, blank=True, unique=True)
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey("reference.Industry", null=True, blank=True, on_delete=models.PROTECT)
    level = models.CharField(max_length=16, choices=AuthorityLevel.choices, blank=True)
    park = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="tenants")
    address = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="authority", level__gt="") | ~Q(kind="authority"), name="authority_has_level"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A production site (厂区) of an enterprise; one enterprise may have several."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=128)
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    APPLICANT = "applicant", "申报人员"
    REVIEWER = "reviewer", "审核人员"
    # a reviewer who also signs the bureau's decisions and publications (签发): publicity notices,
    # announcements granting titles, revocations (greencore.signers, ADR 0011)
    SIGNER = "signer", "签发人员"
    EVALUATOR = "evaluator", "评价人员"
    EXPERT = "expert", "评审专家"
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    AUDITADMIN = "auditadmin", "审计管理员"


class Membership(models.Model):
    """A user acts for exactly one organisation, in one role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="members")
    role = models.CharField(max_length=16, choices=Role.choices)

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"


class BodyProfile(models.Model):
    """What an evaluation body declares when it applies to be listed: its legal person and qualifications."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="body_profile")
    legal_person = models.CharField("法定代表人", max_length=64)
    qualifications = models.TextField("资质")
    decided_reason = models.CharField(max_length=500, blank=True)


class BodyEvaluator(models.Model):
    """An evaluator a body lists, with the certificate they hold."""

    body = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="listed_evaluators")
    name = models.CharField("姓名", max_length=64)
    certificate = models.CharField("证书名称", max_length=64)
    certificate_no = models.CharField("证书编号", max_length=64)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["body", "certificate_no"], name="body_evaluator_certificate_once")
        ]

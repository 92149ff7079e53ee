"""Self-registration, confirmed by the district; a bureau-created account must change its password."""

from __future__ import annotations

import pytest
from factories import actor

from greenmfg.orgs.models import Organisation, OrgStatus
from greenmfg.orgs.selectors import actor_of
from greenmfg.orgs.services import RegistrationError, decide_registration, register_applicant
from greenmfg.reference.models import Region
from greenmfg.web.demo import demo_uscc


def register(name: str, code: str | None = None, **extra):
    return register_applicant(
        kind="enterprise",
        name=name,
        credit_code=code or demo_uscc(name, "320506"),
        region=Region.objects.get(code="320506"),
        industry=None,
        username=extra.pop("username", "newco"),
        password="Kettle#Moon2026",
        display_name="张三",
        **extra,
    )


def test_self_registered_enterprises_wait_for_the_district(world):
    organisation = register("苏州新注册机械有限公司（测试）")
    assert organisation.status == OrgStatus.PENDING

    user = organisation.members.get().user
    assert actor_of(user) is None  # cannot act before confirmation
    response = world.client("wz-reviewer").get("/registrations/")
    assert "苏州新注册机械有限公司（测试）" in response.content.decode()
    assert (
        "苏州新注册机械有限公司（测试）"
        not in world.client("ks-reviewer").get("/registrations/").content.decode()
    )
    decide_registration(actor(world.users["wz-reviewer"]), organisation.pk, approve=True)
    assert Organisation.objects.get(pk=organisation.pk).status == OrgStatus.ACTIVE
    assert actor_of(user) is not None
    with pytest.raises(RegistrationError):
        decide_registration(actor(world.users["wz-reviewer"]), organisation.pk, approve=False)


def test_a_wrong_check_character_is_named_and_nothing_is_created(world):
    good = demo_uscc("某企业", "320506")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(RegistrationError) as refused:
        register("某企业", wrong)
    assert "校验" in str(refused.value.message_dict["credit_code"])
    assert not Organisation.objects.filter(name="某企业").exists()


def test_a_bureau_created_account_must_change_its_password(world):
    organisation = register(
        "吴中代建企业（测试）", username="bureau-made", created_by=actor(world.users["wz-reviewer"])
    )
    assert organisation.status == OrgStatus.ACTIVE
    assert organisation.members.get().user.must_change_password

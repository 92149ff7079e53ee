"""A missing annual filing (动态管理表) bars a higher tier where its level says so (Suzhou, seeds/003): from
the day after the deadline, for a call of the same kind at a higher level only, with the reason named."""

from __future__ import annotations

from datetime import date

import pytest

from greencore import ApplicantRecord, Applying, Eligibility, UnfiledFiling, check_eligibility

PROVINCE_FACTORY = Applying("province", "factory")
CITY_2027 = UnfiledFiling("factory", "city", 2027, date(2027, 4, 15), blocks_higher_tier=True)
REFUSAL_ZH = (
    "本单位市级绿色工厂称号 2027 年度动态管理表逾期未填报（截止 2027年04月15日），"
    "补报并经受理前不得申报更高级别称号。"
)


@pytest.mark.parametrize(
    ("today", "refused"),
    [(date(2027, 4, 14), False), (date(2027, 4, 15), False), (date(2027, 4, 16), True)],
)
def test_the_filing_bars_a_higher_tier_from_the_day_after_its_deadline(today, refused):
    refusal = check_eligibility(Eligibility(), PROVINCE_FACTORY, ApplicantRecord(unfiled=(CITY_2027,)), today)
    if not refused:
        assert refusal is None
        return
    assert refusal is not None
    assert refusal.zh == REFUSAL_ZH
    assert refusal.en == (
        "the unit's 2027 annual filing for its city factory title is missing (due 2027-04-15): it may not "
        "apply to a higher tier until the filing is made and accepted"
    )


@pytest.mark.parametrize(
    ("filing", "applying"),
    [
        # the level did not say so
        (
            UnfiledFiling("factory", "city", 2027, date(2027, 4, 15), blocks_higher_tier=False),
            PROVINCE_FACTORY,
        ),
        # the same level is not a higher tier
        (CITY_2027, Applying("city", "factory")),
        # another kind of title
        (CITY_2027, Applying("province", "supply_chain")),
        # a provincial filing does not bar a provincial call
        (UnfiledFiling("factory", "province", 2027, date(2027, 4, 15), True), PROVINCE_FACTORY),
    ],
)
def test_only_a_blocking_filing_of_a_lower_level_and_the_same_kind_bars(filing, applying):
    assert (
        check_eligibility(Eligibility(), applying, ApplicantRecord(unfiled=(filing,)), date(2027, 6, 1))
        is None
    )


def test_the_earliest_missing_filing_is_named_and_records_merge():
    later = UnfiledFiling("factory", "city", 2028, date(2028, 4, 15), True)
    record = ApplicantRecord(unfiled=(later,)).merged(ApplicantRecord(unfiled=(CITY_2027,)))
    refusal = check_eligibility(Eligibility(), Applying("national", "factory"), record, date(2028, 5, 1))
    assert refusal is not None and "2027 年度" in refusal.zh

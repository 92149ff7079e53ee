"""greencore.attribution: the city or county a listed unit's name gives, and its industry."""

from __future__ import annotations

from greencore import Division, PlaceNames, attribute_industry

PLACES = PlaceNames(
    [
        Division("320000", "江苏省"),
        Division("320500", "苏州市"),
        Division("320506", "吴中区"),
        Division("320582", "张家港市"),
        Division("321300", "宿迁市"),
        Division("130000", "河北省"),
        Division("130100", "石家庄市"),
        Division("130108", "裕华区"),
        Division("130400", "邯郸市"),
        Division("130481", "武安市"),
        Division("410000", "河南省"),
        Division("410100", "郑州市"),
        Division("410102", "中原区"),
        Division("440000", "广东省"),
        Division("440300", "深圳市"),
        Division("440305", "南山区"),
        Division("441600", "河源市"),
        Division("330000", "浙江省"),
        Division("330100", "杭州市"),
        Division("140000", "山西省"),
        Division("140500", "晋城市"),
        Division("140502", "城区"),
    ]
)


def test_a_place_in_the_name_inside_the_listed_region() -> None:
    assert PLACES.region_in_name("德尔福电子（苏州）有限公司", "320000") == ("320500", "name")
    assert PLACES.region_in_name("苏州吴中精密机械有限公司", "320000") == ("320506", "name")  # deepest
    assert PLACES.region_in_name("张家港沙洲电力有限公司", "320000") == ("320582", "name")
    # a listed plan city: only its own districts
    assert PLACES.region_in_name("深圳南山电子有限公司", "440300") == ("440305", "name")
    assert PLACES.region_in_name("苏州精密有限公司", "330000") == (None, "none")  # not in 浙江


def test_two_unrelated_places() -> None:
    # the bracketed place is where the plant is; else the place the name starts with
    assert PLACES.region_in_name("苏州电瓷厂（宿迁）有限公司", "320000") == ("321300", "name")
    assert PLACES.region_in_name("深圳长江家具（河源）有限公司", "440000") == ("441600", "name")
    assert PLACES.region_in_name("武安市裕华钢铁有限公司", "130000") == ("130481", "name")
    assert PLACES.region_in_name("河北武安市裕华钢铁有限公司", "130000") == ("130481", "name")
    assert PLACES.region_in_name("钢铁武安裕华有限公司", "130000") == (None, "ambiguous")


def test_common_words_are_not_places() -> None:
    assert PLACES.region_in_name("中原内配集团有限公司", "410000") == (None, "none")
    assert PLACES.region_in_name("城区水泥有限公司", "140000") == (None, "none")


def test_industry_from_sector_category_or_name() -> None:
    assert attribute_industry("电子", "", "北京京东方显示技术有限公司") == ("39", "listed")
    assert attribute_industry("", "一、家用洗涤剂（58种）", "广州立白企业集团有限公司") == ("268", "category")
    assert attribute_industry("", "", "华润水泥（长治）有限公司") == ("301", "name")
    assert attribute_industry("", "", "燕京啤酒（包头雪鹿）股份有限公司") == ("151", "name")
    # the keyword that ends last decides: a mining-machinery maker is not a mine, and 机械 is unknown
    assert attribute_industry("", "", "中煤北京煤矿机械有限责任公司") == (None, "unknown")
    assert attribute_industry("机械", "", "耐世特汽车系统（苏州）有限公司") == ("36", "name")
    assert attribute_industry("", "", "上海电气集团上海电机厂有限公司") == ("381", "name")
    assert attribute_industry("", "", "长沙中联重科环境产业有限公司") == (None, "unknown")

"""Where and in what industry a listed title holder is, when the list says only its province and sector.

The national green-manufacturing lists give a title's 地区 as a province (江苏), or a city specifically
designated in the state plan (深圳), and, for factories of batches 3 onwards, no 行业 at all. A register
that filters by city, district or industry must nevertheless find them, so both are read from what the
list does say, by rules a reader can check, and a title stays unattributed when the rules cannot decide:

* **Region.** A unit's name usually carries the place it sits in: 德尔福电子（苏州）有限公司,
  张家港沙洲电力有限公司. Every division name inside the listed region — a city or county's full name,
  and its short form without 市/县/区/地区/盟/自治州 when that keeps two characters — is looked for in the
  unit name. When every division found lies on one line of nesting (苏州 and 吴中区), the most precise one
  is taken; when two unrelated divisions are found (an enterprise named after one city, located in
  another), the title keeps the listed region and is counted as ambiguous. Generic names that are not
  places in a company name (城区, 郊区, 矿区, 新区, 市中区...) are never looked for.
* **Industry.** A sector the list names that corresponds to exactly one GB/T 4754 division or group is
  taken as listed (电子 → 39). Otherwise the product category (for design products) and then the unit
  name are searched for the keywords of :data:`INDUSTRY_KEYWORDS`; the keyword that ends last in the text
  wins, since a Chinese company name puts its trade just before the legal form (中煤北京煤矿机械有限公司
  is a machinery maker, and 机械 spans two divisions, so it stays unknown rather than becoming a mine).

Pure Python, no I/O: the caller passes the division table it holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

# Sectors of the national lists that correspond to exactly one GB/T 4754 division (or group, or section).
# 机械, 轻工, 冶金, 石化 and 食品 span several and are decided by keywords, or stay unknown.
SECTOR_INDUSTRY: Mapping[str, str] = {
    "电子": "39",
    "化工": "26",
    "制药": "27",
    "有色": "32",
    "汽车": "36",
    "纺织": "17",
    "钢铁": "31",
    "建材": "30",
    "水泥": "301",
    "造纸": "22",
    "矿山": "B",
}

# keyword -> GB/T 4754-2017 code (division, or group where the keyword names one). An empty code marks a
# keyword that names several divisions (机械: general or special equipment): when it is the last keyword
# in the text, the industry stays unknown.
INDUSTRY_KEYWORDS: Mapping[str, str] = {
    # metals and building materials
    "钢铁": "31", "特钢": "31", "不锈钢": "31", "钢管": "313", "钢板": "313", "钢筋": "313",
    "铁合金": "314", "铝业": "32", "铝材": "32", "铝厂": "32", "铜业": "32", "铜材": "32", "锌业": "32",
    "有色": "32", "稀土": "323", "黄金": "322", "金属制品": "33", "五金": "33",
    "水泥": "301", "玻璃": "304", "陶瓷": "307", "瓷业": "307", "耐火": "308", "砌块": "303",
    "石材": "303", "建材": "30", "板材": "30",
    # chemicals, fuels, fibres, plastics
    "化工": "26", "化学": "26", "有机硅": "26", "钛白粉": "26", "化肥": "262", "肥料": "262",
    "复合肥": "262", "复混肥": "262", "肥业": "262", "涂料": "264", "油墨": "264", "洗涤剂": "268",
    "日化": "268", "石化": "25", "石油化工": "25", "炼化": "25", "炼油": "25", "焦化": "25",
    "制药": "27", "药业": "27", "医药": "27", "化纤": "28", "化学纤维": "28", "涤纶": "28",
    "橡胶": "291", "轮胎": "291", "塑料": "292", "塑胶": "292", "塑业": "292", "木塑": "292",
    # textiles, clothing, paper, wood, food
    "纺织": "17", "棉纺": "171", "印染": "17", "针织": "176", "丝绸": "17", "毛纺": "17",
    "毛精纺": "17", "纺纱": "17", "羊绒": "17", "巾被": "17", "床单": "17", "床上用品": "17",
    "家纺": "17", "服装": "18", "服饰": "18", "制衣": "18", "鞋业": "19", "皮革": "19",
    "造纸": "22", "纸业": "22", "纸板": "22", "生活用纸": "22", "家具": "21", "木业": "20",
    "印刷": "23", "食品": "14", "乳业": "144", "乳品": "144", "啤酒": "151", "酒业": "151",
    "酿酒": "151", "白酒": "151", "饮料": "152", "糖业": "13", "粮油": "13", "饲料": "13",
    "烟草": "16", "卷烟": "16",
    # machinery, vehicles, electrical and electronic equipment
    "机械": "", "重工": "", "电梯": "34", "起重": "34", "轴承": "34", "阀门": "34", "紧固件": "34",
    "电动工具": "34", "工程机械": "35", "农业机械": "35", "农机": "35", "医疗器械": "358",
    "汽车": "36", "汽车部件": "367", "汽车零部件": "367", "汽车配件": "367",
    "船舶": "373", "造船": "373", "机车": "371", "轨道交通": "371", "自行车": "376",
    "电气": "38", "电器": "38", "断路器": "38", "光伏": "38", "电机": "381", "电动机": "381",
    "电缆": "383", "光缆": "383", "线缆": "383", "电线": "383", "电池": "384", "蓄电池": "384",
    "锂电": "384", "家电": "385", "空调": "385", "空气调节器": "385", "冰箱": "385",
    "洗衣机": "385", "热水器": "385", "吸油烟机": "385", "水处理器": "385", "照明": "387",
    "电子": "39", "光电": "39", "半导体": "39", "集成电路": "39", "电路板": "39", "电容器": "39",
    "计算机": "39", "平板电脑": "39", "通信": "392", "通信终端": "392", "网络终端": "392",
    "电视": "395", "仪器": "40", "仪表": "40",
    # energy, water, mining, recycling
    "电力": "44", "发电": "44", "热电": "44", "水电": "44", "核电": "44", "供热": "44",
    "燃气": "45", "水务": "46", "煤业": "06", "煤矿": "06", "煤炭": "06", "矿业": "B",
    "再生资源": "42", "资源再生": "42",
}  # fmt: skip

# Division names that are not places when they occur in a company name.
GENERIC_PLACE_NAMES = frozenset(
    {"城区", "郊区", "矿区", "东区", "西区", "新区", "市中区", "市辖区", "县", "开发区", "高新区"}
    # district names that are also common words in company names (中原, 新华, 长安...)
    | {"新华", "和平", "中原", "长安", "城关", "新城", "红旗", "向阳", "前进", "东风", "胜利", "光明"}
    | {"解放", "建设", "人民", "先锋", "友谊", "团结", "华龙", "海港", "高新", "经开", "开发", "新区"}
)
_SHORT_SUFFIXES = ("自治州", "自治县", "地区", "新区", "林区", "特区", "市", "县", "区", "盟", "旗")

RegionBasis = Literal["name", "ambiguous", "none"]
IndustryBasis = Literal["listed", "category", "name", "unknown"]


@dataclass(frozen=True)
class Division:
    code: str
    name: str


def short_name(name: str) -> str:
    """苏州市 → 苏州, 吴中区 → 吴中, 景泰县 → 景泰; a name that would shrink below two characters stays."""
    for suffix in _SHORT_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


class PlaceNames:
    """The names of the cities and counties of each province, built once from the division table."""

    def __init__(self, divisions: Iterable[Division]) -> None:
        self._by_province: dict[str, list[tuple[str, str]]] = {}
        self._province_forms: dict[str, tuple[str, ...]] = {}
        for d in divisions:
            if d.code.endswith("0000"):
                # what the list already says; kept to recognise a name that starts with it
                self._province_forms[d.code[:2]] = (d.name, _short_province(d.name))
                continue
            if d.name in GENERIC_PLACE_NAMES:
                continue
            forms = {d.name, short_name(d.name)}
            for form in forms:
                if len(form) >= 2 and form not in GENERIC_PLACE_NAMES:
                    self._by_province.setdefault(d.code[:2], []).append((form, d.code))

    def region_in_name(self, unit_name: str, within: str) -> tuple[str | None, RegionBasis]:
        """The most precise division inside region `within` (a division code) that `unit_name` names,
        with the basis: ("320506", "name"), (None, "ambiguous") or (None, "none")."""
        prefix = within[:2] if within.endswith("0000") else (within[:4] if within.endswith("00") else within)
        found: list[tuple[int, int, str]] = []  # (start, end, code)
        for form, code in self._by_province.get(within[:2], ()):
            if not code.startswith(prefix) or code == within:
                continue
            start = unit_name.find(form)
            if start >= 0:
                found.append((start, start + len(form), code))
        # a name found only inside a longer one found at the same place is not a second place
        kept = {
            code
            for s, e, code in found
            if not any((s2 <= s and e <= e2) and (e2 - s2) > (e - s) for s2, e2, _ in found)
        }
        if not kept:
            return None, "none"
        deepest = max(kept, key=_precision)
        if all(_contains(c, deepest) for c in kept):
            return deepest, "name"
        # two unrelated places: a place in brackets is where this plant is (青岛啤酒（日照）有限公司);
        # else the place the name starts with, after the province (武安市裕华钢铁有限公司)
        bracketed = {c for s, e, c in found if c in kept and _bracketed(unit_name, s, e)}
        if len(bracketed) == 1:
            return bracketed.pop(), "name"
        offsets = [len(f) for f in self._province_forms.get(within[:2], ()) if unit_name.startswith(f)]
        leading = {c for s, _, c in found if c in kept and s in (0, *offsets)}
        if len(leading) == 1:
            return leading.pop(), "name"
        return None, "ambiguous"


def _short_province(name: str) -> str:
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _bracketed(text: str, start: int, end: int) -> bool:
    return text[start - 1 : start] in ("（", "(") and text[end : end + 1] in ("）", ")")


def _precision(code: str) -> int:
    return 2 if not code.endswith("00") else (1 if not code.endswith("0000") else 0)


def _contains(outer: str, inner: str) -> bool:
    if outer.endswith("0000"):
        return inner[:2] == outer[:2]
    if outer.endswith("00"):
        return inner[:4] == outer[:4]
    return inner == outer


def industry_in_text(text: str) -> str | None:
    """The code of the keyword that ends last in `text` (the longest when two end together); None when
    no keyword occurs, or when the deciding keyword spans several divisions."""
    best: tuple[int, int, str] | None = None
    for keyword, code in INDUSTRY_KEYWORDS.items():
        start = text.rfind(keyword)
        if start < 0:
            continue
        rank = (start + len(keyword), len(keyword), code)
        if best is None or rank[:2] > best[:2]:
            best = rank
    if best is None:
        return None
    return best[2] or None


def attribute_industry(sector: str, category: str, unit_name: str) -> tuple[str | None, IndustryBasis]:
    """The industry of a listed title from its listed sector, else from the keywords of its product
    category (design products), else from those of its unit name; with the basis it was taken on."""
    listed = SECTOR_INDUSTRY.get(sector.strip())
    if listed:
        return listed, "listed"
    code = industry_in_text(category)
    if code:
        return code, "category"
    code = industry_in_text(unit_name)
    if code:
        return code, "name"
    return None, "unknown"

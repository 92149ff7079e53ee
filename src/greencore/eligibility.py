"""Who may apply to a call: its eligibility rules (`Call.eligibility` on the platform), read and checked.

A call may require a lower-tier title and a clean negative list, and name the indicators that need evidence::

    {"requires_title": {"level": "province", "grade_at_least": "3A"},
     "negative_list": true,
     "evidence_required": ["energy.1"]}

A grade is a grade of one scheme's bands, so a requirement may name the scheme (the ladder) whose grade it
asks for: ``{"requires_title": {"level": "city", "grade_at_least": "3A", "scheme": "factory-suzhou"}}`` —
Jiangsu's provincial call under a scheme without grades may still require Suzhou's city 3A (seeds/003:
「申报省级、国家级绿色工厂的企业需获评3A级绿色工厂」). The named scheme is resolved and the grade checked
against it when the rules are read; only titles graded under that scheme then meet the requirement.
Without ``scheme`` the grade is one of the call's own scheme.

`Eligibility.parse` reads that JSON and refuses a malformed or impossible one, naming the key;
`check_eligibility` tells whether an applicant, described by the facts the platform gathered
(`ApplicantRecord`), may apply.

The rules, with their sources:

- the title ladder is (district →) city → province → national; a call cannot require a title above its own
  level, and only a city or provincial title can be required;
- a national title also puts its holder on the provincial list (工信部节〔2024〕13号: national applicants come
  from the provincial lists; 粤工信规字〔2024〕4号 第十七条), so a provincial requirement is met by either;
- without a grade, a provincial (or national) requirement is also met by the national lists (batches 1–6)
  under the unit's exact name (unless the requirement names a scheme: the lists name none); with a grade,
  the held title's grade must rank at least as high in the named scheme, else the call's scheme (its bands,
  best first), and the title must have been graded on that ladder: under the named scheme or one derived
  from it; without a named scheme, under the call's scheme, a scheme it derives from or one derived from
  it (a Weihai or 'XX市' title is never read as a Suzhou grade because the grade names match). A title
  whose scheme is unknown (granted before the platform recorded it) is compared by its grade's name
  against the call's own scheme only;
- a negative-list hit within the last three years vetoes the application (13号文 第十五条: 近三年).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from greencore.errors import GreencoreError
from greencore.standards.model import Scheme
from greencore.standards.registry import get_scheme
from greencore.supervision import Revocation, UnfiledFiling, ban_in_force
from greencore.workflow.chain import negative_list


@dataclass(frozen=True)
class Label:
    zh: str
    en: str


# The title levels, lowest first (the ladder), and the title kinds, with the names the lists use.
TITLE_LEVELS: dict[str, Label] = {
    # Suzhou's districts grade 1A and 2A themselves (seeds/003): a title below the city's
    "district": Label("区县级", "district"),
    "city": Label("市级", "city"),
    "province": Label("省级", "provincial"),
    "national": Label("国家级", "national"),
}
TITLE_KINDS: dict[str, Label] = {
    "factory": Label("绿色工厂", "green factory"),
    "park": Label("绿色工业园区", "green industrial park"),
    "supply_chain": Label("绿色供应链管理企业", "green supply-chain enterprise"),
    "product": Label("绿色设计产品", "green-design product"),
}
LADDER = tuple(TITLE_LEVELS)
REQUIRABLE_LEVELS = ("city", "province")
NEGATIVE_LIST_YEARS = 3  # 13号文 第十五条: 近三年
KEYS = ("requires_title", "negative_list", "evidence_required")


class Problem(NamedTuple):
    place: str  # the key refused: eligibility, requires_title or evidence_required
    zh: str
    en: str


class EligibilityError(GreencoreError, ValueError):
    """A call's eligibility that cannot be used. `problems` lists every refused key (the first is also
    the error's own place, zh and en)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        first = problems[0]
        super().__init__(first.place, first.zh, first.en)
        self.problems = tuple(problems)


class Refusal(NamedTuple):
    """Why an applicant may not apply, in Chinese and English (a pair: it compares equal to `(zh, en)`)."""

    zh: str
    en: str


@dataclass(frozen=True)
class TitleRequirement:
    level: str  # city | province
    grade_at_least: str = ""  # a grade id of `scheme` (else of the call's scheme); "" for any title
    scheme: str = ""  # the id of the scheme (the ladder) whose title and grade are required; "" the call's
    # read from the named scheme when the rules are parsed: its grades, best first, and its title
    grades: tuple[str, ...] = field(default=(), compare=False)
    scheme_title: tuple[str, str] = field(default=("", ""), compare=False)


@dataclass(frozen=True)
class Eligibility:
    requires_title: TitleRequirement | None = None
    negative_list: bool = False
    evidence_required: tuple[str, ...] = ()

    @classmethod
    def parse(
        cls,
        data: Any,
        *,
        call_level: str,
        scheme: Scheme | None = None,
        schemes: Callable[[str], Scheme] | None = None,
    ) -> Eligibility:
        """The rules of a call at `call_level` (city | province | national) from their JSON. With `scheme`
        (the call's), the grade and the indicators named are checked against it. A requirement naming a
        scheme is resolved by `schemes` (`id` or `id@version`, KeyError when unknown; default: greencore's
        shipped schemes) and its grade checked against that scheme. Raises EligibilityError naming every
        refused key."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise EligibilityError(
                [Problem("eligibility", "申报条件格式错误。", "eligibility must be an object")]
            )
        unknown = sorted(set(data) - set(KEYS))
        if unknown:
            raise EligibilityError(
                [
                    Problem(
                        "eligibility",
                        f"不认识的申报条件：{'、'.join(unknown)}",
                        f"unknown eligibility rules: {', '.join(unknown)}",
                    )
                ]
            )
        problems: list[Problem] = []
        required = None
        if data.get("requires_title"):
            required = _title(data["requires_title"], call_level, scheme, schemes, problems)
        evidence: tuple[str, ...] = ()
        if data.get("evidence_required"):
            evidence = _evidence(data["evidence_required"], scheme, problems)
        if problems:
            raise EligibilityError(problems)
        return cls(required, bool(data.get("negative_list")), evidence)

    def to_json(self) -> dict[str, Any]:
        """The rules as stored: only the keys that are set."""
        out: dict[str, Any] = {}
        if self.requires_title is not None:
            out["requires_title"] = {"level": self.requires_title.level}
            if self.requires_title.grade_at_least:
                out["requires_title"]["grade_at_least"] = self.requires_title.grade_at_least
            if self.requires_title.scheme:
                out["requires_title"]["scheme"] = self.requires_title.scheme
        if self.negative_list:
            out["negative_list"] = True
        if self.evidence_required:
            out["evidence_required"] = list(self.evidence_required)
        return out


def _title(
    spec: Any,
    call_level: str,
    scheme: Scheme | None,
    schemes: Callable[[str], Scheme] | None,
    problems: list[Problem],
) -> TitleRequirement | None:
    if not isinstance(spec, Mapping) or set(spec) - {"level", "grade_at_least", "scheme"}:
        problems.append(
            Problem(
                "requires_title",
                "所需称号的格式错误（层级 level，最低等级 grade_at_least，评价方案 scheme）。",
                "requires_title takes level, grade_at_least and scheme",
            )
        )
        return None
    wanted = str(spec.get("level") or "")
    grade = str(spec.get("grade_at_least") or "").strip()
    named = str(spec.get("scheme") or "").strip()
    if wanted not in REQUIRABLE_LEVELS:
        problems.append(
            Problem(
                "requires_title",
                "请选择须已取得的称号层级：市级或省级。",
                "the level must be city or province",
            )
        )
        return None
    if call_level in LADDER and LADDER.index(wanted) > LADDER.index(call_level):
        problems.append(
            Problem(
                "requires_title",
                f"须已取得的称号（{TITLE_LEVELS[wanted].zh}）不能高于本批次的层级（{TITLE_LEVELS[call_level].zh}）。",
                f"the title required ({wanted}) is above the call's level ({call_level})",
            )
        )
        return None
    if named:
        return _named_ladder(wanted, grade, named, scheme, schemes, problems)
    if grade and scheme is not None:
        grades = [band.id for band in scheme.outcome.grades]
        if grade not in grades:
            problems.append(
                Problem(
                    "requires_title",
                    f"等级 {grade} 不是评价方案 {scheme.key} 的等级"
                    + (
                        f"（可选：{'、'.join(grades)}）。"
                        if grades
                        else "（该方案不分等级；要求其他方案的等级时，请注明该方案，如 factory-suzhou）。"
                    ),
                    f"requires_title.grade_at_least: {grade} is not a grade of scheme {scheme.key}"
                    + ("" if grades else " (it has no grades; name the scheme whose grade is required)"),
                )
            )
            return None
    return TitleRequirement(wanted, grade)


def _named_ladder(
    wanted: str,
    grade: str,
    named: str,
    scheme: Scheme | None,
    schemes: Callable[[str], Scheme] | None,
    problems: list[Problem],
) -> TitleRequirement | None:
    """A requirement naming the scheme whose title and grade are required, checked against that scheme."""
    try:
        ladder = (schemes or get_scheme)(named)
    except KeyError:
        problems.append(
            Problem(
                "requires_title",
                f"须已取得称号的评价方案 {named} 不存在（须为平台已有或已采用的方案）。",
                f"requires_title.scheme: there is no scheme {named}",
            )
        )
        return None
    if scheme is not None and ladder.subject != scheme.subject:
        problems.append(
            Problem(
                "requires_title",
                f"须已取得称号的评价方案 {ladder.key} 评价的称号类型与本批次的评价方案 {scheme.key} 不同。",
                f"requires_title.scheme: {ladder.key} evaluates another kind of title than {scheme.key}",
            )
        )
        return None
    grades = tuple(band.id for band in ladder.outcome.grades)
    if grade and grade not in grades:
        problems.append(
            Problem(
                "requires_title",
                f"等级 {grade} 不是评价方案 {ladder.key} 的等级"
                + (f"（可选：{'、'.join(grades)}）。" if grades else "（该方案不分等级）。"),
                f"requires_title.grade_at_least: {grade} is not a grade of scheme {ladder.key}",
            )
        )
        return None
    return TitleRequirement(
        wanted, grade, ladder.id, grades, (ladder.title.zh, ladder.title.en or ladder.title.zh)
    )


def _evidence(ids: Any, scheme: Scheme | None, problems: list[Problem]) -> tuple[str, ...]:
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        problems.append(
            Problem(
                "evidence_required",
                "须提供佐证材料的指标应为指标编号列表。",
                "evidence_required is a list of indicator ids",
            )
        )
        return ()
    wanted = tuple(dict.fromkeys(i.strip() for i in ids if i.strip()))
    if scheme is not None:
        known = {node.id for node in scheme.iter_nodes() if node.rule is not None}
        unknown = [i for i in wanted if i not in known]
        if unknown:
            problems.append(
                Problem(
                    "evidence_required",
                    f"评价方案 {scheme.key} 中没有这些指标：{'、'.join(unknown)}",
                    f"scheme {scheme.key} has no indicators {', '.join(unknown)}",
                )
            )
    return wanted


# --- the facts about an applicant, and the check --------------------------------------------------------


@dataclass(frozen=True)
class HeldTitle:
    """An active title the applicant holds, of the call's kind."""

    level: str  # district | city | province | national
    grade: str = ""  # the grade id; "" for a title without a grade
    # the platform's id of the application that earned it, "" where unknown: an application's own title
    # is never a prerequisite of itself (greencore.review.ladder.held_inputs)
    source: str = ""
    scheme: str = ""  # the id of the scheme it was graded under, "" where unknown
    # that scheme's id and the ids of the schemes it derives from (`extends`), nearest first; () = (scheme,)
    lineage: tuple[str, ...] = ()

    def derives_from(self, scheme_id: str) -> bool:
        """Whether the title was graded under `scheme_id` or a scheme derived from it."""
        return bool(self.scheme) and scheme_id in (self.lineage or (self.scheme,))


@dataclass(frozen=True)
class NegativeHit:
    """A credit check that found the applicant on the negative list."""

    item: str  # the negative-list item's id (review.yaml); "" when the check did not name one
    checked_on: date
    source: str  # where it was found, as shown (信用中国 …)


@dataclass(frozen=True)
class ApplicantRecord:
    """What the platform knows of an applicant for one title kind. Several contexts each know a part
    (titles, the national lists, credit checks); `merged` puts the parts together."""

    titles: tuple[HeldTitle, ...] = ()  # in the order to name them in a refusal
    national_list: bool = False  # on the national lists (batches 1–6) under its exact name
    negative_hits: tuple[NegativeHit, ...] = ()  # latest first (of two on one day, the later recorded)
    revocations: tuple[Revocation, ...] = ()  # titles revoked on the platform (the 3-year ban)
    unfiled: tuple[UnfiledFiling, ...] = ()  # annual filings of its titles not accepted yet

    def merged(self, other: ApplicantRecord) -> ApplicantRecord:
        return ApplicantRecord(
            self.titles + other.titles,
            self.national_list or other.national_list,
            self.negative_hits + other.negative_hits,
            self.revocations + other.revocations,
            self.unfiled + other.unfiled,
        )


@dataclass(frozen=True)
class Applying:
    """What is applied for: a call's level and title kind, the grades of its scheme, best first, and the
    scheme's lineage (its id and the ids of the schemes it derives from, nearest first)."""

    level: str
    kind: str
    grades: tuple[str, ...] = ()
    lineage: tuple[str, ...] = ()

    @classmethod
    def to(
        cls, level: str, kind: str, scheme: Scheme, schemes: Callable[[str], Scheme] | None = None
    ) -> Applying:
        """`schemes` resolves the `extends` of the call's scheme (default: greencore's shipped schemes)."""
        grades = tuple(band.id for band in scheme.outcome.grades)
        return cls(level, kind, grades, scheme_lineage(scheme, schemes))

    def on_ladder(self, title: HeldTitle) -> bool:
        """Whether `title` was graded on the ladder of the call's scheme (`graded_on`)."""
        return graded_on(title, self.lineage)


def graded_on(title: HeldTitle, lineage: Sequence[str]) -> bool:
    """Whether `title` was graded on the ladder of the scheme whose `lineage` is given: under that scheme, a
    scheme it derives from, or a scheme derived from it. A title of unknown scheme (or an unknown lineage)
    is taken by its grade's name."""
    if not lineage or not title.scheme:
        return True
    return title.scheme in lineage or title.derives_from(lineage[0])


def scheme_lineage(scheme: Scheme, schemes: Callable[[str], Scheme] | None = None) -> tuple[str, ...]:
    """`scheme`'s id and the ids of the schemes it derives from (`extends`), nearest first, as far as
    `schemes` (default: greencore's shipped schemes) resolves them."""
    resolve = schemes or get_scheme
    lineage = [scheme.id]
    parent = scheme.extends
    while parent:
        try:
            found = resolve(parent)
        except KeyError:
            lineage.append(parent.partition("@")[0])
            break
        if found.id in lineage:  # the registry refuses circular extends; never loop on a bad resolver
            break
        lineage.append(found.id)
        parent = found.extends
    return tuple(lineage)


def levels_meeting(level: str) -> tuple[str, ...]:
    """The title levels meeting a requirement of `level`: a national title is also on the provincial list."""
    return ("province", "national") if level == "province" else (level,)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def latest_negative_hit(hits: Collection[NegativeHit], today: date) -> NegativeHit | None:
    """The latest hit of the last three years up to `today` (13号文 第十五条), or None; of two on the same
    day, the one listed first."""
    since = years_before(today, NEGATIVE_LIST_YEARS)
    inside = [hit for hit in hits if since <= hit.checked_on <= today]
    return max(inside, key=lambda hit: hit.checked_on, default=None)


def check_eligibility(
    eligibility: Eligibility, applying: Applying, record: ApplicantRecord, today: date
) -> Refusal | None:
    """None when the applicant described by `record` meets the call's rules on `today`, else why not.

    A title of the call's kind revoked at the call's level bars the unit for three years whatever the call's
    own rules say (seeds/003): the refusal gives the day it may apply again."""
    ban = ban_refusal(applying, record, today) or unfiled_refusal(applying, record, today)
    if ban is not None:
        return ban
    if eligibility.requires_title is not None:
        refusal = _missing_title(eligibility.requires_title, applying, record)
        if refusal is not None:
            return refusal
    if eligibility.negative_list:
        return _negative_list_refusal(record, today)
    return None


def ban_refusal(applying: Applying, record: ApplicantRecord, today: date) -> Refusal | None:
    """Why a unit whose title of this kind and level was revoked may not apply yet, with the day it may."""
    ban = ban_in_force(record.revocations, applying.kind, applying.level, today)
    if ban is None:
        return None
    kind = TITLE_KINDS.get(applying.kind, Label(applying.kind, applying.kind))
    level = TITLE_LEVELS.get(applying.level, Label(applying.level, applying.level))
    return Refusal(
        f"本单位的{level.zh}{kind.zh}称号已于 {ban.revoked_on:%Y年%m月%d日} 被撤销，三年内不得再次申报；"
        f"自 {ban.may_apply_from:%Y年%m月%d日} 起方可申报。",
        f"the unit's {level.en} {kind.en} title was revoked on {ban.revoked_on}: "
        f"it may not apply again at this level before {ban.may_apply_from}",
    )


def unfiled_refusal(applying: Applying, record: ApplicantRecord, today: date) -> Refusal | None:
    """Why a unit may not apply to a higher tier while an annual filing of a lower-level title of the same
    kind is missing past its deadline, where that level says so; the earliest such filing is named."""
    if applying.level not in LADDER:
        return None
    rank = LADDER.index(applying.level)
    missing = sorted(
        (
            f
            for f in record.unfiled
            if f.blocks_higher_tier
            and f.kind == applying.kind
            and f.level in LADDER
            and LADDER.index(f.level) < rank
            and f.missing_on(today)
        ),
        key=lambda f: (f.deadline, f.year),
    )
    if not missing:
        return None
    first = missing[0]
    kind = TITLE_KINDS[first.kind].zh if first.kind in TITLE_KINDS else first.kind
    level = TITLE_LEVELS[first.level]
    return Refusal(
        f"本单位{level.zh}{kind}称号 {first.year} 年度动态管理表逾期未填报"
        f"（截止 {first.deadline:%Y年%m月%d日}），补报并经受理前不得申报更高级别称号。",
        f"the unit's {first.year} annual filing for its {level.en} {applying.kind} title is missing (due "
        f"{first.deadline}): it may not apply to a higher tier until the filing is made and accepted",
    )


def _missing_title(required: TitleRequirement, applying: Applying, record: ApplicantRecord) -> Refusal | None:
    level, grade = required.level, required.grade_at_least
    kind_label = TITLE_KINDS[applying.kind].zh if applying.kind in TITLE_KINDS else applying.kind
    level_label = TITLE_LEVELS[level].zh if level in TITLE_LEVELS else level
    asked_label = TITLE_LEVELS[applying.level].zh if applying.level in TITLE_LEVELS else applying.level
    asked = f"申报{asked_label}"
    held = [
        t.grade
        for t in record.titles
        if t.level in levels_meeting(level)
        and (
            t.derives_from(required.scheme)
            if required.scheme
            else not grade or applying.on_ladder(t)  # a grade is one of the call's scheme's ladder
        )
    ]
    # the scheme whose title is required, as a refusal names it
    named_zh = f"「{required.scheme_title[0] or required.scheme}」" if required.scheme else ""
    named_en = f" ({required.scheme_title[1] or required.scheme})" if required.scheme else ""
    if not grade:
        lists = level in ("province", "national") and record.national_list and not required.scheme
        if held or lists:
            return None
        return Refusal(
            f"{asked}须已列入{level_label}{kind_label}名单{named_zh}（未找到本单位的{level_label}称号）",
            f"a {applying.level} application needs a {level} {applying.kind} title{named_en} (none found)",
        )
    order = required.grades if required.scheme else applying.grades
    if grade in order and any(g in order and order.index(g) <= order.index(grade) for g in held):
        return None
    elsewhere = [t for t in record.titles if t.level in levels_meeting(level)]
    if not held and elsewhere and not required.scheme:
        # it holds such titles, graded on another scheme's ladder: their grade names are not this scheme's
        found_zh = f"本单位的{level_label}称号并非按本批次评价方案的等级评定"
        found_en = "its titles were graded on another scheme's ladder"
    elif not held:
        found_zh, found_en = f"未找到本单位的{level_label}称号", "none found"
    else:
        shown = "、".join(g or "无等级" for g in held)
        found_zh, found_en = f"本单位的{level_label}称号等级为{shown}", f"held: {', '.join(held)}"
    return Refusal(
        f"{asked}须已获得{level_label}{kind_label}称号{named_zh}且等级不低于{grade}（{found_zh}）",
        f"a {applying.level} application needs a {level} {applying.kind} title{named_en} of grade {grade} "
        f"or better ({found_en})",
    )


def _negative_list_refusal(record: ApplicantRecord, today: date) -> Refusal | None:
    hit = latest_negative_hit(record.negative_hits, today)
    if hit is None:
        return None
    items = {item.id: item.zh for item in negative_list()}
    item = items.get(hit.item, hit.item or "负面清单事项")
    return Refusal(
        f"本单位近三年有负面清单记录：{item}（{hit.source}，{hit.checked_on:%Y年%m月%d日}核查），不能申报。",
        f"a negative-list hit within three years ({hit.item or 'unspecified'}, {hit.checked_on})",
    )

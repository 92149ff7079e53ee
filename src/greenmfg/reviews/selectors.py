"""Reads about the review chain: the steps of a call, who decides the current step, the bureau's queue,
expert assignments and panel results."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from greencore import (
    ApplicantRecord,
    Candidate,
    ForwardingDecision,
    ForwardingRule,
    Ladder,
    NegativeHit,
    Result,
    Route,
    StepSpec,
    Verdict,
    aggregate,
    at_step,
    compiled,
    decide,
    decisive_basis,
    held_inputs,
    held_source,
    ladder_of_call,
    later_levels,
    negative_list,
    quota_applies,
    region_within,
    route,
    stale_items,
    steps,
    unmet_prerequisites,
    verdict,
)
from greencore import is_overdue as core_is_overdue
from greenmfg.applications.dossier import scheme_for
from greenmfg.applications.models import Application
from greenmfg.applications.selectors import (
    changes_between,
    frozen_at_time,
    item_labels,
    latest_frozen,
    platform_titles,
)
from greenmfg.applications.states import LIVE
from greenmfg.catalog.models import Call
from greenmfg.evaluations.models import CURRENT, Engagement, EngagementStatus
from greenmfg.evaluations.selectors import stored_result, third_party_score
from greenmfg.orgs.models import AuthorityLevel, Organisation
from greenmfg.orgs.selectors import Actor, covers, in_jurisdiction
from greenmfg.schemes.selectors import get_scheme

from .models import Assignment, CreditCheck, Decision, ExpertProfile, Meeting


def chain_of(call: Call) -> list[StepSpec]:
    return steps(call.review_chain)


def current_step(application: Application) -> StepSpec:
    chain = chain_of(application.call)
    return chain[min(application.review_step, len(chain) - 1)]


def bureau_decides(actor: Actor | None, step: StepSpec, region_code: str) -> bool:
    """True when the actor is the bureau of the step's level over the region `region_code` (the ministry's
    step: the ministry, wherever the region)."""
    if actor is None or not actor.is_reviewer:
        return False
    level = actor.organisation.level
    if step.level == "ministry":
        return level == AuthorityLevel.MINISTRY
    return level == step.level and covers(actor.organisation, region_code)


def decides_step(actor: Actor | None, application: Application, step: StepSpec | None = None) -> bool:
    """True when the actor is the bureau of the step's level (the current step's by default) over the
    application's region."""
    return bureau_decides(actor, step or current_step(application), application.region_id)


def decides_own_step(actor: Actor, step: StepSpec) -> bool:
    """True when the bureau decides `step` for applications of its own region: the bureau that runs a call's
    forwarding rule at that step or, at the last step, the call's publicity and publication."""
    return bureau_decides(actor, step, actor.organisation.region_id)


def step_queue(actor: Actor) -> QuerySet[Application]:
    """Applications waiting at a step this bureau decides, oldest deadline first."""
    if not actor.is_reviewer:
        return Application.objects.none()
    candidates = (
        Application.objects.select_related("call", "applicant", "region")
        .filter(in_jurisdiction(actor.organisation), state__in=LIVE, submitted_at__isnull=False)
        .order_by("step_due_on", "submitted_at")
    )
    keep = [a.pk for a in candidates if decides_step(actor, a)]
    return candidates.filter(pk__in=keep)


def is_overdue(application: Application, today: date | None = None) -> bool:
    return core_is_overdue(application.step_due_on, today or timezone.localdate())


def latest_decision(application: Application, step: int | None = None) -> Decision | None:
    found = Decision.objects.filter(application=application)
    if step is not None:
        found = found.filter(step=step)
    return found.order_by("-decided_at", "-pk").first()


def awaiting_forwarding(application: Application) -> bool:
    """Passed at a step that forwards by rule (or, at the last step, waits for its publicity notice), and
    the bureau has not yet run the forwarding or the selection."""
    decision = latest_decision(application, application.review_step)
    return (
        decision is not None
        and decision.outcome == Decision.Outcome.PASSED
        and not decision.detail.get("selected")
    )


def selected_at_step(application: Application) -> bool:
    """Chosen by the last step's selection rule (ranked across the call): listed at the next notice."""
    decision = latest_decision(application, application.review_step)
    return (
        decision is not None
        and decision.outcome == Decision.Outcome.PASSED
        and bool(decision.detail.get("selected"))
    )


def graded_at_step(application: Application) -> bool:
    """Graded by the bureau of its current step, whose level grants that grade itself (Suzhou's districts:
    1A and 2A, seeds/003): it waits for that bureau's publicity notice."""
    decision = latest_decision(application, application.review_step)
    return decision is not None and decision.outcome == Decision.Outcome.GRADED


def meeting_of(application: Application, step: int) -> Meeting | None:
    """The latest meeting (会议讨论) recorded for the application at `step`."""
    return application.meetings.filter(step=step).order_by("-recorded_at", "-pk").first()


def credit_check_of(application: Application, step: int) -> CreditCheck | None:
    return application.credit_checks.filter(step=step).order_by("-recorded_at", "-pk").first()


def decisions_of(application: Application) -> QuerySet[Decision]:
    return Decision.objects.filter(application=application).select_related("authority", "decided_by")


# --- experts --------------------------------------------------------------------------------------


def expert_profile(actor: Actor | None) -> ExpertProfile | None:
    if actor is None or not actor.is_expert:
        return None
    return ExpertProfile.objects.filter(user=actor.user, active=True).first()


def live_assignments(actor: Actor | None, now: Any = None) -> QuerySet[Assignment]:
    """The expert's assignments they may open now: not withdrawn, inside the review window."""
    profile = expert_profile(actor)
    if profile is None:
        return Assignment.objects.none()
    now = now or timezone.now()
    return Assignment.objects.filter(
        expert=profile, opens_at__lte=now, closes_at__gte=now, status__in=("active", "signed")
    ).select_related("application__call", "application__applicant")


def assigned_application_ids(actor: Actor) -> QuerySet[Any] | None:
    """The applications the expert is assigned to, without a conflict, inside the review window (ids, as a
    subquery); None for anyone but an expert. Plugged into `applications.ports.readers`."""
    if not actor.is_expert:
        return None
    return live_assignments(actor).values("application_id")


def panel_of(application: Application, step: int) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(application=application, step=step)
        .exclude(status=Assignment.Status.WITHDRAWN)
        .select_related("expert__user")
    )


def scoring_sheet(application: Application) -> list[dict[str, Any]]:
    """The leaf indicators experts score, from the submitted version's result: id, label (and its English,
    the Chinese where greencore has none), max points and the applicant's own points."""
    frozen = latest_frozen(application)
    if frozen is None or not frozen.result:
        return []
    result = json.loads(frozen.result) if isinstance(frozen.result, str) else frozen.result
    return [
        {
            "id": node["id"],
            "label": node["label"],
            "label_en": node.get("label_en") or node["label"],
            "path": " › ".join(node.get("path", [])[:-1]),
            "max_points": Decimal(str(node["max_points"])),
            "self_points": None if node.get("points") is None else Decimal(str(node["points"])),
        }
        for node in result.get("indicators", [])
        if node.get("is_leaf") and node.get("status") in ("scored", "missing")
    ]


@dataclass(frozen=True)
class PanelResult:
    signed: int
    size: int
    method: str
    per_indicator: dict[str, Decimal]
    total: Decimal | None  # None until every panel member has signed


def panel_result(application: Application, step: StepSpec) -> PanelResult | None:
    if step.panel is None:
        return None
    signed = list(panel_of(application, step.index).filter(status=Assignment.Status.SIGNED))
    if len(signed) < step.panel.size:  # no partial figures: they would leak scores before the panel ends
        return PanelResult(len(signed), step.panel.size, step.panel.aggregation, {}, None)
    by_indicator: dict[str, list[Decimal]] = {}
    for assignment in signed:
        for score in assignment.scores.all():
            by_indicator.setdefault(score.indicator, []).append(score.points)
    per_indicator = {key: aggregate(values, step.panel.aggregation) for key, values in by_indicator.items()}
    total = sum(per_indicator.values(), Decimal("0.00"))
    return PanelResult(len(signed), step.panel.size, step.panel.aggregation, per_indicator, total)


def step_score(application: Application, step: StepSpec) -> tuple[Decimal | None, str]:
    """The score a step decides on, and where it comes from: the expert panel's, else the third party's,
    else the applicant's own (the submitted version)."""
    panel = panel_result(application, step)
    if panel is not None and panel.total is not None:
        return panel.total, "专家评审"
    third = third_party_score(application)
    if third is not None:
        return third, "第三方评价"
    frozen = latest_frozen(application)
    return (frozen.score if frozen else None), "企业自评价"


@dataclass(frozen=True)
class StaleResult:
    """A result resting on an earlier submitted version that the resubmission changed: whose, which
    changed items it rests on, and who must confirm it or score again."""

    zh: str
    en: str
    items: tuple[str, ...]
    assignment: Assignment | None = None


def stale_results(application: Application, step: StepSpec) -> list[StaleResult]:
    """The third-party evaluation and the step's signed expert scores that rest on a version the applicant
    has since changed (greencore's `stale_items`), or that are being re-scored. The step waits on them."""
    latest = latest_frozen(application)
    if latest is None:
        return []
    found: list[StaleResult] = []
    labels = item_labels(application)

    def named(items: tuple[str, ...]) -> str:
        return "、".join(labels.get(item, item) for item in items[:8]) + ("等" if len(items) > 8 else "")

    engagement = (
        Engagement.objects.filter(application=application, status__in=CURRENT)
        .select_related("dossier")
        .first()
    )
    if engagement is not None and engagement.status == EngagementStatus.ENGAGED and engagement.concluded_at:
        found.append(StaleResult("评价机构正在对修改后的申报重新评价", "the evaluator is re-scoring", ()))
    elif (
        engagement is not None
        and engagement.dossier is not None
        and engagement.dossier.number < latest.number
    ):
        items = stale_items(None, changes_between(engagement.dossier, latest))
        if items:
            found.append(
                StaleResult(
                    f"第三方评价依据第 {engagement.dossier.number} 版，申报单位已修改"
                    f"（{named(items)}），须评价机构确认或重新评价",
                    f"the third-party evaluation rests on version {engagement.dossier.number}; "
                    f"changed: {', '.join(items)}",
                    items,
                )
            )
    if step.panel is not None:
        # numbered as the case page lists the panel ("专家 n")
        for number, assignment in enumerate(panel_of(application, step.index), start=1):
            if assignment.status != Assignment.Status.SIGNED or assignment.signed_at is None:
                continue
            if latest.frozen_at is None or assignment.signed_at >= latest.frozen_at:
                continue
            scored = frozen_at_time(application, assignment.signed_at)
            if scored is None or scored.number >= latest.number:
                continue
            indicators = set(assignment.scores.values_list("indicator", flat=True))
            items = stale_items(indicators, changes_between(scored, latest))
            if items:
                found.append(
                    StaleResult(
                        f"专家 {number} 的评分依据第 {scored.number} 版，所评指标已修改"
                        f"（{named(items)}），须专家确认或重新评分",
                        f"expert {number}'s scores rest on version {scored.number}; "
                        f"changed: {', '.join(items)}",
                        items,
                        assignment,
                    )
                )
    return found


def _concluded_evaluation(application: Application) -> Engagement | None:
    return (
        Engagement.objects.filter(application=application, status=EngagementStatus.CONCLUDED)
        .order_by("-pk")
        .first()
    )


def prerequisite_source(application: Application) -> tuple[str, str] | None:
    """What the grade prerequisites (申报3A级须已获评2A级) rest on, for the case page: the platform's own
    title, or the typed answer where the platform holds none (units titled before the platform). None
    when the call's scheme has no prerequisites."""
    call = application.call
    scheme = scheme_for(call.scheme_id, call.scheme_version)
    if not any(f is not None for f in compiled(scheme).grade_requires):
        return None
    found = held_source(scheme, platform_titles(application), get_scheme)
    if found is not None:
        return found
    return (
        "已获等级依据申报单位填报（本平台尚无该单位的称号记录，适用于平台上线前获评的单位）",
        "the grade held is read from the applicant's answer (the platform holds no title of the unit: "
        "for units titled before the platform)",
    )


def decisive_verdict(application: Application, step: StepSpec | None = None) -> Verdict | None:
    """What the result the step rests on allows (greencore's `verdict`): the facts gathered here are the
    concluded third-party result (where there is one: the call requires it, or the applicant engaged one),
    else the submitted self-evaluation; the panel's total once every expert of the step has signed; a
    negative-list hit of a credit check; the titles the platform granted the applicant, which decide the
    grade prerequisites over the typed answer (greencore `held_inputs`). The verdict is then read as this
    step may act on it (greencore `at_step`: a grade no step still ahead grants fails here). None while
    there is no result to rest on (nothing submitted, or a required third party has not concluded)."""
    step = step or current_step(application)
    call = application.call
    evaluation = _concluded_evaluation(application)
    stored: Any = None
    if evaluation is not None and evaluation.result is not None:
        stored = evaluation.result
    elif call.requires_third_party:
        return None
    else:
        frozen = latest_frozen(application)
        stored = frozen.result if frozen is not None else None
    if not stored:
        return None
    result: Result = stored_result(stored)
    panel = panel_result(application, step)
    panel_total = panel.total if panel is not None else None
    basis = decisive_basis(
        requires_third_party=evaluation is not None and evaluation.result is not None,
        panel_scored=panel_total is not None,
    )
    hit = application.credit_checks.filter(outcome=CreditCheck.Outcome.HIT).order_by("-pk").first()
    negative = NEGATIVE_ITEM_NAMES.get(hit.negative_item, hit.negative_item) if hit is not None else ""
    scheme = scheme_for(call.scheme_id, call.scheme_version)
    held = held_inputs(scheme, platform_titles(application), get_scheme)
    found = verdict(
        scheme,
        result,
        basis,
        score=panel_total,
        negative_item=negative,
        unmet=(
            unmet_prerequisites(scheme, {**result.inputs, **held}, result.blocked_grades) if held else None
        ),
        # graded as if granted the title the call confers (a Suzhou provincial call grants 4A)
        confers=call.level,
    )
    chain = chain_of(call)
    return at_step(
        found,
        call_ladder(call),
        step.level,
        later_levels([s.level for s in chain], step.index),
    )


def call_ladder(call: Call) -> Ladder | None:
    """The grades each chain level grants under the call (greencore `ladder_of_call`): the scheme's grading
    ladder, or — for a call conferring a status grade (a Suzhou provincial call, 4A) — that grade alone, at
    the level that grants the title."""
    return ladder_of_call(scheme_for(call.scheme_id, call.scheme_version), call.level)


def ladder_grades(call: Call) -> dict[str, str]:
    """The grades each chain level grants itself under the call's scheme ("1A、2A"), for the case page;
    empty where the scheme has no grading ladder."""
    ladder = call_ladder(call)
    return {} if ladder is None else {level: "、".join(ids) for level, ids in ladder.grades.items()}


def step_route(application: Application, step: StepSpec, found: Verdict) -> Route:
    """Where the verdict takes the application from `step` (greencore `route`): graded here, on to a later
    step, or nowhere."""
    chain = chain_of(application.call)
    return route(
        call_ladder(application.call),
        step.level,
        later_levels([s.level for s in chain], step.index),
        found,
    )


NEGATIVE_ITEM_NAMES = {item.id: item.zh for item in negative_list()}


def overdue_filter(today: date) -> Q:
    return Q(step_due_on__lt=today)


def calls_for_bureau(actor: Actor) -> list[Call]:
    """Calls this bureau takes part in: those inside its jurisdiction and those whose region contains it
    (a district reviews for its city's call)."""
    if not actor.is_reviewer:
        return []
    own = actor.organisation.region_id

    calls = Call.objects.select_related("region", "authority").order_by("-opens_on", "code")
    inside = set(Call.objects.filter(in_jurisdiction(actor.organisation)).values_list("pk", flat=True))
    return [c for c in calls if c.pk in inside or region_within(c.region_id, own, c.region.level)]


def granting_step(actor: Actor, call: Call) -> StepSpec | None:
    """The step of the call at which this bureau grants titles itself: the last step, or a step whose
    level grants grades of the call's scheme (Suzhou's districts, 1A and 2A); None where it grants none."""
    if not actor.is_reviewer:
        return None
    chain = chain_of(call)
    if decides_own_step(actor, chain[-1]):
        return chain[-1]
    ladder = call_ladder(call)
    if ladder is None:
        return None
    return next((s for s in chain[:-1] if ladder.grades.get(s.level) and decides_own_step(actor, s)), None)


def awaiting_publicity(actor: Actor, call: Call) -> list[Application]:
    """Applications of the call waiting for this bureau's publicity notice: passed (or selected) at the
    last step, or graded at the bureau's own grading step."""
    step = granting_step(actor, call)
    if step is None:
        return []
    if step.is_last:
        return passed_at_last_step(actor, call)
    found = (
        Application.objects.filter(call=call, review_step=step.index, state__in=LIVE)
        .filter(in_jurisdiction(actor.organisation))
        .select_related("applicant", "region", "call")
        .order_by("pk")
    )
    return [a for a in found if decides_step(actor, a, step) and graded_at_step(a)]


def passed_at_last_step(actor: Actor, call: Call) -> list[Application]:
    """Applications of the call this bureau passed at the last step and that wait for its publicity notice
    (publication puts them on the notice)."""
    last = chain_of(call)[-1]
    if not decides_own_step(actor, last):
        return []
    found = (
        Application.objects.filter(call=call, review_step=last.index, state__in=LIVE)
        .filter(in_jurisdiction(actor.organisation))
        .select_related("applicant", "region", "call")
        .order_by("pk")
    )
    waiting = selected_at_step if last.forward is not None else awaiting_forwarding
    return [a for a in found if decides_step(actor, a, last) and waiting(a)]


# --- ranking across a call ('XX市': above 80 and among the top 30) -------------------------------------


@dataclass(frozen=True)
class RankedRow:
    application: Application
    verdict: Verdict | None
    decision: ForwardingDecision  # greencore's: forwarded (or selected), competition rank, reason


def rank_pool(pool: list[Application], step: StepSpec) -> list[RankedRow]:
    """The step's rule (greencore `decide`) over the pool, each on its decisive verdict: a failing one is
    never ranked and its reason is the verdict's own. Input order; raises `RuleError` on a bad rule."""
    assert step.forward is not None
    rule = ForwardingRule.from_spec(step.forward)
    verdicts = [decisive_verdict(a, step) for a in pool]
    decisions = decide(
        rule,
        [
            Candidate(str(a.pk), v.score if v is not None else None, eligible=v is not None and v.allowed)
            for a, v in zip(pool, verdicts, strict=True)
        ],
        selecting=step.is_last,
    )
    rows: list[RankedRow] = []
    for application, found, decision in zip(pool, verdicts, decisions, strict=True):
        if found is None:
            decision = replace(
                decision, reason_zh="尚无据以决定的评价结果", reason_en="no result to decide on"
            )
        elif not found.allowed:
            decision = replace(decision, reason_zh=found.reasons_zh, reason_en=found.reasons_en)
        rows.append(RankedRow(application, found, decision))
    return rows


def waiting_for_rule(actor: Actor, call: Call, step: StepSpec) -> list[Application]:
    """The applications this bureau passed at `step` that wait for its rule to be run."""
    found = (
        Application.objects.filter(call=call, review_step=step.index, state__in=LIVE)
        .select_related("applicant", "region", "call")
        .order_by("pk")
    )
    return [a for a in found if decides_step(actor, a, step) and awaiting_forwarding(a)]


def ranking_preview(actor: Actor, call: Call, step: StepSpec) -> tuple[list[RankedRow], int]:
    """What running the rule now would do, best rank first (the bureau reads the whole list, each unit's
    reason, before it confirms), and how many applications at the step are not yet decided (they would
    not be ranked)."""
    pool = waiting_for_rule(actor, call, step)
    rows = rank_pool(pool, step) if pool else []
    rows.sort(key=lambda r: (r.decision.rank is None, r.decision.rank or 0, r.application.pk))
    undecided = sum(
        1
        for a in Application.objects.filter(call=call, review_step=step.index, state__in=LIVE)
        .select_related("call")
        .order_by("pk")
        if decides_step(actor, a, step) and not awaiting_forwarding(a) and not selected_at_step(a)
    )
    return rows, undecided


# --- the negative list (工信部节〔2024〕13号 第十五条) ------------------------------------------------


def negative_list_record(organisation: Organisation, kind: str) -> ApplicantRecord:
    """The credit checks that found this organisation on the negative list, latest first, whatever the title
    kind (greencore's eligibility check keeps those of the last three years). Plugged into
    `catalog.ports.applicant_records`."""
    hits = CreditCheck.objects.filter(
        application__applicant=organisation, outcome=CreditCheck.Outcome.HIT
    ).order_by("-checked_on", "-pk")
    return ApplicantRecord(
        negative_hits=tuple(NegativeHit(h.negative_item, h.checked_on, h.get_source_display()) for h in hits)
    )


# --- the province's quota (call calendars, issue 12) -------------------------------------------------


def recommended_count(call: Call, step: StepSpec, authority_id: int) -> int:
    """How many applications this bureau has passed upward at the call's step: forwarded, or selected (or
    passed) at a last step. Each application once, however often it was decided."""
    upward = Q(outcome=Decision.Outcome.FORWARDED) | Q(outcome=Decision.Outcome.PASSED, detail__selected=True)
    if step.is_last and step.forward is None:
        upward |= Q(outcome=Decision.Outcome.PASSED)
    return (
        Decision.objects.filter(upward, application__call=call, step=step.index, authority_id=authority_id)
        .values("application")
        .distinct()
        .count()
    )


def most_recommended(call: Call) -> int:
    """The most applications any one bureau has passed upward at a province step of the call: a quota
    may not be set below it (catalog's port `recommended`)."""
    counts = [
        recommended_count(call, spec, authority_id)
        for spec in chain_of(call)
        if quota_applies(spec.level)
        for authority_id in Decision.objects.filter(application__call=call, step=spec.index)
        .values_list("authority_id", flat=True)
        .distinct()
    ]
    return max(counts, default=0)

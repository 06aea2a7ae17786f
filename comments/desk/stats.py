"""Moderation statistics for the desk, and their chart laid out as plain numbers for an SVG template.

Three queries whatever the volume: the waiting counts, the first decisions on recent comments,
and the events per day.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comments.models import ModerationEvent, OrgComment, State

Action = ModerationEvent.Action
DECISIONS = (Action.APPROVE, Action.REJECT, Action.SPAM)
# The screening's own decisions: its audit events (action "screen") that approved or sent to spam. An
# approval recorded without a coordinator by anything else (sample content, an import) is nobody's
# decision, and counts neither as automatic nor in the time to decide.
SCREENING_DECIDED = Q(action=Action.SCREEN, new_state__in=(State.APPROVED, State.SPAM))
DECIDED = Q(action__in=DECISIONS, actor__isnull=False) | SCREENING_DECIDED
# Comments brought over from the original campaign page (comments.imports) were posted and decided
# elsewhere, years before some of them: their arrival here is not the site's traffic, and a later
# decision on one would count the years it waited. They stay in the waiting counts only.
POSTED_HERE = Q(comment__origin="")
WINDOW_DAYS = 30

CHART_WIDTH = 720
CHART_HEIGHT = 240
PAD_LEFT = 40
PAD_RIGHT = 10
PAD_TOP = 12
PAD_BOTTOM = 28


@dataclass
class Day:
    day: date
    submitted: int = 0
    approved: int = 0
    approved_auto: int = 0
    rejected: int = 0
    spam: int = 0


@dataclass
class Stats:
    days_back: int
    review: int
    pending: int
    decided: int
    median_decision: timedelta | None
    median_by_coordinator: timedelta | None
    approved: int
    approved_auto: int
    rejected: int
    spam: int
    spam_auto: int
    days: list[Day] = field(default_factory=list)
    chart: dict = field(default_factory=dict)

    @property
    def waiting(self) -> int:
        return self.review + self.pending

    @property
    def share_auto(self) -> float | None:
        """Share of approvals made by the screening without a coordinator (0-100), None without approvals."""
        return round(100 * self.approved_auto / self.approved, 1) if self.approved else None


def desk_stats(*, now: datetime | None = None, days_back: int = WINDOW_DAYS) -> Stats:
    """Return what the desk reports about the last ``days_back`` days, and what waits now."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first_day = today - timedelta(days=days_back - 1)
    since = timezone.make_aware(datetime.combine(first_day, datetime.min.time()))

    waiting = OrgComment.objects.order_by().aggregate(
        review=Count("id", filter=Q(state=State.REVIEW)), pending=Count("id", filter=Q(state=State.PENDING))
    )

    # Time from submission to the first decision, for comments submitted in the window.
    first: dict[int, tuple[timedelta, bool]] = {}
    decisions = (
        ModerationEvent.objects.filter(DECIDED, POSTED_HERE, comment__submit_date__gte=since)
        .order_by("created", "id")
        .values_list("comment_id", "created", "actor_id", "comment__submit_date")
    )
    for comment_id, created, actor_id, submitted in decisions:
        if comment_id not in first:
            first[comment_id] = (max(created - submitted, timedelta(0)), actor_id is not None)
    all_waits = [wait for wait, _by in first.values()]
    coordinator_waits = [wait for wait, by_coordinator in first.values() if by_coordinator]

    by_day = {first_day + timedelta(days=n): Day(day=first_day + timedelta(days=n)) for n in range(days_back)}
    rows = (
        ModerationEvent.objects.filter(Q(action=Action.SUBMIT) | DECIDED, POSTED_HERE, created__gte=since)
        .annotate(
            day=TruncDate("created"),
            system=Case(When(SCREENING_DECIDED, then=Value(True)), default=Value(False), output_field=BooleanField()),
            # What a screening decided is in its new state; a coordinator's, in the action.
            outcome=Case(
                When(action=Action.SCREEN, new_state=State.APPROVED, then=Value(Action.APPROVE.value)),
                When(action=Action.SCREEN, new_state=State.SPAM, then=Value(Action.SPAM.value)),
                default="action",
            ),
        )
        .order_by()
        .values_list("day", "outcome", "system")
        .annotate(n=Count("id"))
    )
    spam_auto = 0
    for day, action, system, n in rows:
        entry = by_day.get(day)
        if entry is None:
            continue
        if action == Action.SUBMIT:
            entry.submitted += n
        elif action == Action.APPROVE:
            entry.approved += n
            if system:
                entry.approved_auto += n
        elif action == Action.REJECT:
            entry.rejected += n
        elif action == Action.SPAM:
            entry.spam += n
            if system:
                spam_auto += n
    series = list(by_day.values())
    return Stats(
        days_back=days_back,
        review=waiting["review"],
        pending=waiting["pending"],
        decided=len(first),
        median_decision=_median(all_waits),
        median_by_coordinator=_median(coordinator_waits),
        approved=sum(d.approved for d in series),
        approved_auto=sum(d.approved_auto for d in series),
        rejected=sum(d.rejected for d in series),
        spam=sum(d.spam for d in series),
        spam_auto=spam_auto,
        days=series,
        chart=chart(series),
    )


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def duration_label(value: timedelta | None) -> str:
    """Say a duration the way a person would: '40 min', '5 h 10 min', '3 days 2 h'."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return _("under a minute")
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    days, hours = divmod(hours, 24)
    return ngettext("%(d)d day %(h)d h", "%(d)d days %(h)d h", days) % {"d": days, "h": hours}


def chart(days: list[Day]) -> dict:
    """Lay out bars (submitted per day) and lines (approved, spam per day) in SVG user units."""
    plot_width = CHART_WIDTH - PAD_LEFT - PAD_RIGHT
    plot_height = CHART_HEIGHT - PAD_TOP - PAD_BOTTOM
    top = max([1] + [max(d.submitted, d.approved, d.spam) for d in days])
    step = plot_width / max(len(days), 1)
    baseline = PAD_TOP + plot_height

    def y_of(value: int) -> float:
        return round(baseline - plot_height * value / top, 1)

    bars, approved_points, spam_points, labels = [], [], [], []
    for index, day in enumerate(days):
        x = PAD_LEFT + index * step
        centre = round(x + step / 2, 1)
        bars.append(
            {
                "x": round(x + 1, 1),
                "y": y_of(day.submitted),
                "width": round(max(step - 2, 1), 1),
                "height": round(baseline - y_of(day.submitted), 1),
                "day": day,
            }
        )
        approved_points.append(f"{centre},{y_of(day.approved)}")
        spam_points.append(f"{centre},{y_of(day.spam)}")
        # A label every week, counted back from today, so the last two never overlap.
        if (len(days) - 1 - index) % 7 == 0:
            labels.append({"x": centre, "text": dateformat.format(day.day, "j M")})  # month in the page's language
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": PAD_LEFT,
        "right": CHART_WIDTH - PAD_RIGHT,
        "top": PAD_TOP,
        "baseline": baseline,
        "label_y": baseline + 18,
        "max": top,
        "max_y": PAD_TOP + 4,
        "bars": bars,
        "approved_points": " ".join(approved_points),
        "spam_points": " ".join(spam_points),
        "labels": labels,
    }

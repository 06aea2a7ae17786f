"""The desk's pages and actions: thin views that parse a form, call a service and redirect (PRG).

Every view is wrapped in ``coordinator_required`` (which also marks the response
``private, no-store``); every action is a POST with CSRF, and refuses GET with 405.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.organisations import services as campaign_services
from campaign.organisations.models import Organisation
from comments import classifier, desk_services, languages, revisions, services
from comments.desk import export, selectors, stats
from comments.desk.access import coordinator_required
from comments.desk.forms import (
    DECISION_LABELS,
    TRANSLATED,
    AmendmentAnswerForm,
    AuditFilterForm,
    BulkForm,
    CorrectionRejectForm,
    KeywordRuleForm,
    LanguageForm,
    MergeForm,
    OfficialReplyForm,
    PrivateMessageForm,
    QueueFilterForm,
    RejectForm,
    RejectionReasonForm,
    TakeUpForm,
)
from comments.models import CommentRevision, KeywordRule, OrgComment, RejectionReason, State
from guidance.models import Version

UNDO_KEY = "desk_undo_spam"
DONE = {
    "approve": gettext_lazy("Comment #%(id)s approved."),
    "reject": gettext_lazy("Comment #%(id)s rejected; the poster is told why."),
    "spam": gettext_lazy("Comment #%(id)s marked as spam."),
    "not_spam": gettext_lazy("Comment #%(id)s is not spam: it is back in the review queue."),
}


def _back(request: HttpRequest, default: str = "") -> HttpResponseRedirect:
    """Redirect to the desk page the form came from (kept with its filters), or to a default."""
    target = request.POST.get("next", "")
    desk_root = reverse("desk:home")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    if not (safe and target.startswith(desk_root)):
        target = default or desk_root
    return HttpResponseRedirect(target)


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _carry_out(request: HttpRequest, form, act, *, failed: str, done) -> HttpResponseRedirect:
    """Check a desk form, ``act`` on its data and tell the coordinator how it went; back to where they were.

    ``failed`` takes the problem (``%(problem)s``); ``done`` makes the success message from what ``act`` returned.
    """
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    try:
        result = act(form.cleaned_data)
    except (services.CommentError, ValidationError) as exc:
        problem = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, failed % {"problem": problem})
    else:
        messages.success(request, done(result))
    return _back(request)


# --- Queues -------------------------------------------------------------------------------


@coordinator_required
@require_GET
def queue(request: HttpRequest, state: str = State.REVIEW) -> HttpResponse:
    """List one queue, filtered and paginated, each comment with its thread and decisions."""
    if state not in selectors.QUEUES:
        raise Http404
    filter_form = QueueFilterForm(request.GET)
    result = selectors.queue_page(state, filter_form.queue_filters(), page_number=request.GET.get("page", 1))
    undo = request.session.pop(UNDO_KEY, None) if UNDO_KEY in request.session else None
    counts = selectors.state_counts()
    context = {
        "state": state,
        "state_label": State(state).label,
        "queues": [(s, State(s).label, counts[s]) for s in selectors.QUEUES],
        "queue_states": selectors.QUEUES,
        "counts": counts,
        "result": result,
        "filter_form": filter_form,
        "filtered": any(request.GET.get(name) for name in filter_form.fields if name != "order"),
        "group_decisions": selectors.allowed_decisions(state),
        "reasons": list(RejectionReason.objects.only("id", "title")),
        "languages": settings.LANGUAGES,
        "language_codes": [code for code, _name in settings.LANGUAGES],
        "comment_languages": languages.choices(),
        "max_level": services.max_thread_level(),
        "here": request.get_full_path(),
        "undo": undo,
        "decision_labels": DECISION_LABELS,
    }
    return render(request, "desk/queue.html", context)


@coordinator_required
@require_POST
def decide(request: HttpRequest, comment_id: int, decision: str) -> HttpResponseRedirect:
    """Approve, reject (with a reason), mark as spam, or undo spam: one comment."""
    comment = get_object_or_404(OrgComment.objects.only("id"), pk=comment_id)
    reason, note = None, ""
    if decision == desk_services.REJECT:
        form = RejectForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return _back(request)
        reason, note = form.cleaned_data["reason"], form.cleaned_data["note"]
    try:
        desk_services.decide(comment=comment, decision=decision, by=request.user, reason=reason, note=note)
    except services.CommentError as exc:
        messages.error(request, _("Comment #%(id)s: %(problem)s") % {"id": comment_id, "problem": exc})
    else:
        messages.success(request, DONE[decision] % {"id": comment_id})
        if decision == desk_services.SPAM:
            request.session[UNDO_KEY] = comment_id
    return _back(request)


@coordinator_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponseRedirect:
    """Apply one decision to the ticked comments, or to a whole campaign group in a queue."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    data = form.cleaned_data
    options = {"decision": data["decision"], "by": request.user, "reason": data["reason"], "note": data["note"]}
    try:
        if data["group"] is not None:
            result = desk_services.decide_group(campaign_group=data["group"], state=data["state"], **options)
        else:
            result = desk_services.decide_many(comment_ids=data["ids"], **options)
    except services.CommentError as exc:
        messages.error(request, str(exc))
        return _back(request)
    label = DECISION_LABELS[data["decision"]]
    if result.done:
        messages.success(
            request,
            ngettext("%(label)s: %(n)d comment done.", "%(label)s: %(n)d comments done.", result.done)
            % {"label": label, "n": result.done},
        )
    if result.refused:
        messages.warning(
            request,
            ngettext(
                "%(n)d comment could not be changed: %(why)s",
                "%(n)d comments could not be changed: %(why)s",
                len(result.refused),
            )
            % {"n": len(result.refused), "why": "; ".join(result.refused[:5])},
        )
    if not result.done and not result.refused:
        messages.warning(request, _("No comment matched: nothing was changed."))
    return _back(request)


@coordinator_required
@require_POST
def reply(request: HttpRequest, comment_id: int) -> HttpResponseRedirect:
    """Publish a reply of the working group under a comment."""
    parent = get_object_or_404(OrgComment, pk=comment_id)
    return _carry_out(
        request,
        OfficialReplyForm(request.POST),
        lambda data: desk_services.official_reply(
            parent=parent, text=data["text"], language=data["language"], by=request.user
        ),
        failed=_("The reply was not published: %(problem)s"),
        done=lambda published: (
            _("The working group's reply #%(id)s is published under #%(parent)s.")
            % {"id": published.pk, "parent": comment_id}
        ),
    )


@coordinator_required
@require_POST
def private_message(request: HttpRequest, comment_id: int) -> HttpResponseRedirect:
    """Send the poster a private answer, to the address the site keeps and the coordinator never sees."""
    comment = get_object_or_404(OrgComment, pk=comment_id)
    return _carry_out(
        request,
        PrivateMessageForm(request.POST),
        lambda data: revisions.private_message_send(comment=comment, text=data["text"], by=request.user),
        failed=_("The message was not sent: %(problem)s"),
        done=lambda sent: _("Your message to the poster of #%(id)s is being mailed.") % {"id": comment_id},
    )


@coordinator_required
@require_POST
def comment_language(request: HttpRequest, comment_id: int) -> HttpResponseRedirect:
    """Correct the language a comment is marked up and counted in."""
    comment = get_object_or_404(OrgComment, pk=comment_id)
    return _carry_out(
        request,
        LanguageForm(request.POST),
        lambda data: desk_services.comment_set_language(comment=comment, language=data["language"], by=request.user),
        failed=_("The language was not changed: %(problem)s"),
        done=lambda changed: (
            _("Comment #%(id)s is now marked as %(language)s.") % {"id": comment_id, "language": changed.language_name}
        ),
    )


# --- Amendments --------------------------------------------------------------------------------


@coordinator_required
@require_GET
def amendments(request: HttpRequest) -> HttpResponse:
    """Published amendments with wording, for the working group to answer and to link to a version."""
    view = request.GET.get("show", "open")
    if view not in selectors.AMENDMENT_VIEWS:
        view = "open"
    page = Paginator(selectors.amendments(view), 25).get_page(request.GET.get("page", 1))
    return render(
        request,
        "desk/amendments.html",
        {
            "page": page,
            "items": selectors.amendment_items(list(page.object_list)),
            "view": view,
            "views": [
                ("open", _("To answer")),
                ("changed", _("Not linked to a version")),
                ("answered", _("Answered")),
                ("all", _("All")),
            ],
            "answer_form": AmendmentAnswerForm(),
            "here": request.get_full_path(),
        },
    )


@coordinator_required
@require_POST
def amendment_answer(request: HttpRequest, comment_id: int) -> HttpResponseRedirect:
    """Answer an amendment for the working group: public, and mailed to its poster."""
    comment = get_object_or_404(OrgComment, pk=comment_id)
    return _carry_out(
        request,
        AmendmentAnswerForm(request.POST),
        lambda data: desk_services.amendment_answer(
            comment=comment, outcome=data["outcome"], reason=data["reason"], by=request.user
        ),
        failed=_("The amendment was not answered: %(problem)s"),
        done=lambda answered: (
            _("Amendment #%(id)s is answered: %(outcome)s.")
            % {"id": comment_id, "outcome": answered.get_outcome_display()}
        ),
    )


@coordinator_required
@require_POST
def amendment_take_up(request: HttpRequest, comment_id: int) -> HttpResponseRedirect:
    """Link an amendment to the version that took it up (or remove the link)."""
    comment = get_object_or_404(OrgComment.objects.select_related("version"), pk=comment_id)

    def take_up(data):
        version = None
        if data.get("version"):
            document = comment.version.document_id if comment.version_id else None
            version = (
                Version.objects.published().originals().filter(document_id=document, number=data["version"]).first()
            )
            if version is None:
                raise desk_services.DeskError(
                    _("There is no published version %(number)s.") % {"number": data["version"]}
                )
        return desk_services.amendment_take_up(comment=comment, version=version, by=request.user)

    return _carry_out(
        request,
        TakeUpForm(request.POST),
        take_up,
        failed=_("The amendment was not linked: %(problem)s"),
        done=lambda linked: (
            _("Amendment #%(id)s is linked to version %(number)s.")
            % {"id": comment_id, "number": linked.taken_up_in.number}
            if linked.taken_up_in_id
            else _("Amendment #%(id)s is no longer linked to a version.") % {"id": comment_id}
        ),
    )


# --- Corrections by posters ---------------------------------------------------------------------


@coordinator_required
@require_GET
def corrections(request: HttpRequest) -> HttpResponse:
    """The corrections posters proposed, each next to the text readers see now."""
    page = Paginator(revisions.pending_corrections(), 50).get_page(request.GET.get("page", 1))
    return render(request, "desk/corrections.html", {"page": page, "here": request.get_full_path()})


@coordinator_required
@require_POST
def correction_decide(request: HttpRequest, revision_id: int, decision: str) -> HttpResponseRedirect:
    """Approve a correction (the comment's text is replaced, "edited") or reject it (kept as it was)."""
    revision = get_object_or_404(CommentRevision, pk=revision_id)
    try:
        if decision == "approve":
            revisions.correction_approve(revision=revision, by=request.user)
            messages.success(request, _("The correction of #%(id)s is approved.") % {"id": revision.comment_id})
        else:
            form = CorrectionRejectForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            revisions.correction_reject(revision=revision, by=request.user, note=note)
            messages.success(request, _("The correction of #%(id)s is rejected.") % {"id": revision.comment_id})
    except services.CommentError as exc:
        messages.error(request, str(exc))
    return _back(request, reverse("desk:corrections"))


# --- Audit log ------------------------------------------------------------------------------


@coordinator_required
@require_GET
def comment_log(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Show one comment as the desk sees it, and every event of its audit log."""
    comment = selectors.comment_for_desk(comment_id)
    if comment is None:
        raise Http404
    context = {
        "item": selectors.desk_items([comment])[0],
        "queue_states": selectors.QUEUES,
        "events": selectors.comment_events(comment),
        "reasons": list(RejectionReason.objects.only("id", "title")),
        "languages": settings.LANGUAGES,
        "language_codes": [code for code, _name in settings.LANGUAGES],
        "comment_languages": languages.choices(),
        "max_level": services.max_thread_level(),
        "here": request.get_full_path(),
        "decision_labels": DECISION_LABELS,
    }
    return render(request, "desk/comment_log.html", context)


@coordinator_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    """The whole audit log, newest first, filtered by action and actor."""
    form = AuditFilterForm(request.GET)
    form.is_valid()
    found = selectors.events(action=form.cleaned_data.get("action", ""), actor=form.cleaned_data.get("actor", ""))
    page = Paginator(found, selectors.LOG_PAGE_SIZE).get_page(request.GET.get("page", 1))
    return render(request, "desk/log.html", {"form": form, "page": page})


# --- Keyword rules and rejection reasons ------------------------------------------------------


@coordinator_required
@require_GET
def keywords(request: HttpRequest) -> HttpResponse:
    rules = KeywordRule.objects.select_related("created_by").only(
        "id", "phrase", "action", "created", "created_by__username"
    )
    return render(request, "desk/keywords.html", {"rules": rules, "form": KeywordRuleForm()})


@coordinator_required
@require_POST
def keyword_add(request: HttpRequest) -> HttpResponseRedirect:
    form = KeywordRuleForm(request.POST)
    if form.is_valid():
        try:
            rule = desk_services.keyword_rule_add(
                phrase=form.cleaned_data["phrase"], action=form.cleaned_data["action"], by=request.user
            )
        except (services.CommentError, ValidationError) as exc:
            messages.error(request, "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Added “%(rule)s”.") % {"rule": rule})
    else:
        _form_errors(request, form)
    return HttpResponseRedirect(reverse("desk:keywords"))


@coordinator_required
@require_POST
def keyword_delete(request: HttpRequest, rule_id: int) -> HttpResponseRedirect:
    rule = get_object_or_404(KeywordRule, pk=rule_id)
    desk_services.keyword_rule_delete(rule=rule)
    messages.success(request, _("Deleted “%(rule)s”.") % {"rule": rule})
    return HttpResponseRedirect(reverse("desk:keywords"))


@coordinator_required
@require_GET
def reasons(request: HttpRequest) -> HttpResponse:
    return render(
        request, "desk/reasons.html", {"reasons": RejectionReason.objects.all(), "form": RejectionReasonForm()}
    )


def _save_reason(request: HttpRequest, form: RejectionReasonForm, reason: RejectionReason | None) -> bool:
    if not form.is_valid():
        return False
    try:
        desk_services.rejection_reason_save(
            reason=reason,
            title=form.cleaned_data["title"],
            text=form.cleaned_data["text"],
            position=form.cleaned_data["position"] or 0,
            translations={code: form.cleaned_data[f"text_{code}"] for code in TRANSLATED},
        )
    except services.CommentError as exc:
        form.add_error("title", str(exc))
        return False
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


@coordinator_required
@require_POST
def reason_add(request: HttpRequest) -> HttpResponseRedirect:
    form = RejectionReasonForm(request.POST)
    if _save_reason(request, form, None):
        messages.success(request, _("Reason added."))
    else:
        _form_errors(request, form)
    return HttpResponseRedirect(reverse("desk:reasons"))


@coordinator_required
@require_http_methods(["GET", "POST"])
def reason_edit(request: HttpRequest, reason_id: int) -> HttpResponse:
    reason = get_object_or_404(RejectionReason, pk=reason_id)
    if request.method == "POST":
        form = RejectionReasonForm(request.POST)
        if _save_reason(request, form, reason):
            messages.success(request, _("Reason saved."))
            return HttpResponseRedirect(reverse("desk:reasons"))
    else:
        initial = {"title": reason.title, "text": reason.text, "position": reason.position}
        initial.update({f"text_{code}": getattr(reason, f"text_{code}") for code in TRANSLATED})
        form = RejectionReasonForm(initial=initial)
    return render(request, "desk/reason_edit.html", {"reason": reason, "form": form})


@coordinator_required
@require_POST
def reason_delete(request: HttpRequest, reason_id: int) -> HttpResponseRedirect:
    reason = get_object_or_404(RejectionReason, pk=reason_id)
    desk_services.rejection_reason_delete(reason=reason)
    messages.success(request, _("Reason “%(title)s” deleted.") % {"title": reason.title})
    return HttpResponseRedirect(reverse("desk:reasons"))


# --- Organisations ----------------------------------------------------------------------------


@coordinator_required
@require_GET
def organisations(request: HttpRequest) -> HttpResponse:
    """Organisations with their comment counts, to verify them and to merge duplicates."""
    # PostgreSQL refuses a NUL in any text it is given: a search for one would be a 500.
    query = request.GET.get("q", "").replace("\x00", "").strip()
    found = (
        Organisation.objects.select_related("verified_by")
        .only("id", "name", "slug", "city", "country", "network", "verified_at", "verified_by__username")
        .annotate(comment_count=Count("comments"))
        .order_by("name", "id")
    )
    if query:
        found = found.filter(name__icontains=query)
    page = Paginator(found, 50).get_page(request.GET.get("page", 1))
    context = {"page": page, "query": query, "merge_form": MergeForm(), "here": request.get_full_path()}
    return render(request, "desk/organisations.html", context)


@coordinator_required
@require_POST
def organisation_verify(request: HttpRequest, organisation_id: int) -> HttpResponseRedirect:
    return _set_verified(request, organisation_id, campaign_services.organisation_verify, _("%(name)s is verified."))


@coordinator_required
@require_POST
def organisation_unverify(request: HttpRequest, organisation_id: int) -> HttpResponseRedirect:
    done = _("%(name)s is no longer verified.")
    return _set_verified(request, organisation_id, campaign_services.organisation_unverify, done)


def _set_verified(request: HttpRequest, organisation_id: int, change, done: str) -> HttpResponseRedirect:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    change(organisation=organisation, by=request.user)
    messages.success(request, done % {"name": organisation.name})
    return _back(request, reverse("desk:organisations"))


@coordinator_required
@require_POST
def organisation_merge(request: HttpRequest) -> HttpResponseRedirect:
    form = MergeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, reverse("desk:organisations"))
    duplicate = form.cleaned_data["duplicate"]
    name = duplicate.name
    try:
        kept = desk_services.organisation_merge(keep=form.cleaned_data["keep"], duplicate=duplicate, by=request.user)
    except campaign_services.OrganisationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(gone)s was merged into %(kept)s.") % {"gone": name, "kept": kept.name})
    return _back(request, reverse("desk:organisations"))


# --- Export and statistics ------------------------------------------------------------------


@coordinator_required
@require_GET
def export_endorsements(request: HttpRequest) -> HttpResponse:
    """Download the approved endorsements as CSV (public fields only)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="endorsements.csv"'
    export.write(response)
    return response


@coordinator_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    result = stats.desk_stats()
    context = {
        "stats": result,
        "model": classifier.summary(),
        "min_examples": settings.COMMENTS_CLASSIFIER_MIN_EXAMPLES,
        "median_decision": stats.duration_label(result.median_decision),
        "median_by_coordinator": stats.duration_label(result.median_by_coordinator),
    }
    return render(request, "desk/stats.html", context)

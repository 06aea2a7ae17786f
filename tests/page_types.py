"""Every type of page the site shows, each with content enough to show all of its parts.

Two checks go through this one list: axe in Chromium (tests/e2e/test_accessibility.py) and the
Nu Html Checker (tests/a11y/test_valid_html.py). tests/a11y/test_page_types.py walks the URLconf,
so a URL added to the site fails the suite until it is listed here or in ``NOT_PAGES``.

A page type is a GET, or the answer to a form sent from a page (the comment form with its errors,
a confirmation, a withdrawal...). The browser fills and sends the form as a person would; the
test client posts the same fields.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from campaign.organisations.models import Organisation
from comments import services, tokens
from comments.forms import OrgCommentForm
from comments.models import CommentRevision, KeywordRule, ModerationEvent, OrgComment, RejectionReason, State
from guidance.models import Section, Version
from tests import factories
from tests.comments.builders import approved_comment
from tests.subscriptions.builders import make_subscriber

ANONYMOUS, COORDINATOR, MEMBER, STRANGER = "anonymous", "coordinator", "member", "stranger"

# URLs that answer with something other than an HTML page of ours, and why.
NOT_PAGES = {
    "health": "JSON for health checks",
    "sitemap": "XML",
    "robots": "plain text for crawlers",
    "favicon": "redirect to the icon",
    "guidance:version-feed": "Atom (XML)",
    "comments:document-feed": "Atom (XML)",
    "comments:section-feed": "Atom (XML)",
    "comments:permalink": "redirect to the comment on its page",
    "comments:yours-copy": "JSON download",
    "sign-in": "Django's admin login page, behind rate limits (the admin is not the site's own pages)",
    "desk:export": "CSV",
    "campaign:report-pdf": "PDF (the report's page laid out for print)",
    "campaign:report-csv": "CSV",
    "campaign:report-json": "JSON",
    # Desk actions: POST only, they redirect to a desk page with a message ("desk after a decision").
    "desk:approve": "action",
    "desk:reject": "action",
    "desk:spam": "action",
    "desk:not-spam": "action",
    "desk:reply": "action",
    "desk:bulk": "action",
    "desk:keyword-add": "action",
    "desk:keyword-delete": "action",
    "desk:reason-add": "action",
    "desk:reason-delete": "action",
    "desk:organisation-merge": "action",
    "desk:organisation-verify": "action",
    "desk:organisation-unverify": "action",
    "desk:message": "action",
    "desk:language": "action",
    "desk:correction-approve": "action",
    "desk:amendment-answer": "action",
    "desk:amendment-take-up": "action",
    "desk:correction-reject": "action",
}
# Namespaces that are not the site's own pages (Django's admin is used only to sign in).
NOT_OURS = ("admin:",)


@dataclass(frozen=True)
class Submit:
    """A form to send from the page; the page type is the answer to it."""

    button: str  # the accessible name of the button that sends it
    action: str  # where it posts (the test client posts there)
    data: dict[str, str] = field(default_factory=dict)  # the browser fills the visible ones
    within: str = "main"  # CSS selector of the part of the page the button is in
    csrf: bool = True  # False: the form is sent without its CSRF cookie (the refusal page)


@dataclass(frozen=True)
class PageType:
    name: str  # also the screenshot's file name
    url_name: str  # the URL pattern (namespace:name) this page type covers
    path: str  # the page to open (for a Submit, the page with the form)
    who: str = ANONYMOUS
    submit: Submit | None = None
    status: int = 200
    template: str = ""  # a page rendered without a view (500.html): served as is


def url_names() -> set[str]:
    """Every named URL of the site's URLconf, as namespace:name."""
    names = set()

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return {name for name in names if not name.startswith(NOT_OURS)}


def _waiting(target, text: str, *, state: str = State.REVIEW, **fields) -> OrgComment:
    """A comment held in a desk queue, with the screening's reasons."""
    comment = approved_comment(target, text=text, **fields)
    OrgComment.objects.filter(pk=comment.pk).update(
        state=state,
        is_public=False,
        spam_score=4.5,
        spam_reasons=[
            {"check": "links", "score": 2.0, "reason": "Contains 3 links."},
            {"check": "keywords", "score": 2.5, "reason": "Holds the phrase “casino”."},
        ],
    )
    ModerationEvent.objects.create(comment=comment, action="screen", old_state="pending", new_state=state, score=4.5)
    return comment


def _comment_form_data(target, **fields) -> dict[str, str]:
    form = OrgCommentForm(target)
    return {**form.generate_security_data(), "reply_to": "0", **fields}


def build(note) -> list[PageType]:
    """Fill the database around the shared ``note`` fixture and the personas, and return every page type."""
    document = note
    document.consultation_opens = datetime.date(2026, 1, 15)
    document.consultation_closes = datetime.date(2026, 12, 31)
    document.save()
    draft = Version.objects.get(document=document, number=2, language="en")
    original = Version.objects.get(document=document, number=1)
    french = factories.VersionFactory(
        document=document, number=2, language="fr", label="Projet retravaillé 1", translation_of=draft
    )
    for text in draft.texts.select_related("section"):
        factories.SectionTextFactory(
            version=french,
            section=text.section,
            position=text.position,
            heading=f"{text.heading} (fr)",
            body_markdown="Le texte en français.",
            body_html="<p>Le texte en français.</p>",
        )
    section = Section.objects.get(document=document, key="rights-based-approach")
    # The member persona's organisation (tests/conftest.py), verified and described.
    organisation = Organisation.objects.get(slug="sisters-alliance")
    organisation.website = "https://sisters-alliance.example.org/"
    organisation.network = "Regional network of sex worker-led groups"
    organisation.description = "A collective of sex workers in Nairobi.\n\nWe run peer-led clinics."
    organisation.verified_at = timezone.now()
    organisation.save()
    factories.OrganisationFactory(name="Night Workers Union", slug="night-workers-union", country="FR", city="Lyon")

    top = approved_comment(
        section,
        kind="endorse",
        organisation=organisation,
        organisation_name="Sisters Alliance",
        name="Amina",
        city="Nairobi",
        country="KE",
        display="name_org",
        version=original,
        text="We endorse this section.\n\n1. Decriminalise sex work.\n2. Fund peer-led clinics.\n\nhttps://example.org/report",
    )
    reply = approved_comment(
        section, parent=top, kind="question", name="Luz", country="CO", text="Does this cover migrants?"
    )
    approved_comment(section, parent=top, official=True, text="Yes: section 4 says so.")
    approved_comment(section, kind="concern", display="anonymous", country="RU", text="Naming us puts us at risk.")
    # An amendment with its wording, answered and taken up: the consultation report shows every part of it.
    approved_comment(
        document,
        kind="amend",
        organisation_name="Night Workers Union",
        country="FR",
        text="Bien.",
        quote="sex work",
        proposal="sex work, by sex workers",
        outcome="accepted",
        outcome_reason="The working group agreed.",
        taken_up_in=draft,
        version=original,
    )

    for n in range(2):
        _waiting(section, "Sign our petition now.", kind="comment", name=f"Poster {n}", campaign_group=5)
    waiting = _waiting(section, "Please add a section on housing.", kind="amend", organisation_name="Casa Segura")
    _waiting(section, "What about the police?", parent=reply, kind="question", display="anonymous")
    _waiting(section, "Cheap casino bonus https://spam.example/", state=State.SPAM, name="Bonus")
    _waiting(section, "An advert for a conference.", state=State.REJECTED, name="Events Ltd")
    withdrawn = approved_comment(section, text="Posted by mistake.", name="Kim")
    OrgComment.objects.filter(pk=withdrawn.pk).update(state=State.WITHDRAWN, is_public=False)
    # Withdrawn by its author after others replied: the thread shows a placeholder above the reply.
    held = approved_comment(section, text="Withdrawn after replies.", name="Ana")
    approved_comment(section, parent=held, text="Our answer stays.", organisation_name="Rights Now")
    OrgComment.objects.filter(pk=held.pk).update(state=State.WITHDRAWN)
    OrgComment.objects.filter(pk=reply.pk).update(edited_at=timezone.now())  # a correction was approved
    # Brought over from the original campaign page (manage.py import_wordpress): marked on the page and the desk.
    legacy = approved_comment(section, text="We supported this on the old page.", name="Old reader", language="en")
    legacy_waiting = _waiting(section, "Still waiting since the old page.", name="Old poster")
    for n, imported in enumerate((legacy, legacy_waiting), start=1):
        OrgComment.objects.filter(pk=imported.pk).update(origin="wordpress", import_key=f"https://old.example#{n}")
    # A comment on one paragraph, and an amendment with wording, answered and taken up by the draft.
    (passage,) = [p for p in section.comment_passages() if p.key]
    approved_comment(
        section, text="This paragraph matters most.", name="Noor", passage_key=passage.key, quote=passage.text
    )
    amendment = approved_comment(
        section,
        kind="amend",
        organisation_name="Red Umbrella Collective",
        display="org",
        country="KE",
        version=original,
        text="Say who decides.",
        passage_key=passage.key,
        quote=passage.text,
        proposal=passage.text.replace("approach", "approach, led by sex workers,"),
    )
    OrgComment.objects.filter(pk=amendment.pk).update(
        outcome="partly", outcome_reason="The leadership of sex workers is now said.", taken_up_in=draft
    )
    # Found by the search page's "approach", beside the note's texts of that section.
    approved_comment(
        section,
        kind="concern",
        display="org",
        organisation_name="Red Thread",
        country="KE",
        text="The rights based approach must come first <and stay there>.",
    )
    unconfirmed = approved_comment(section, text="Waiting for my confirmation.", name="Sam")
    OrgComment.objects.filter(pk=unconfirmed.pk).update(state=State.UNCONFIRMED, is_public=False)
    confirm_token = services.issue_confirmation_token(comment_id=unconfirmed.pk)

    coordinator = get_user_model().objects.get(username="coordinator")
    KeywordRule.objects.create(phrase="casino", action="spam", created_by=coordinator)
    KeywordRule.objects.create(phrase="petition", action="hold")
    reason, _ = RejectionReason.objects.get_or_create(title="Advertising", defaults={"text": "This is an advert."})
    off_topic, _ = RejectionReason.objects.get_or_create(
        title="Off topic", defaults={"text": "This is not about the note.", "position": 2}
    )

    section_url = section.get_absolute_url()
    sign_in_url = f"{reverse('desk-sign-in')}?next={reverse('desk:home')}"
    confirm_url = reverse("comments:confirm", args=[confirm_token])
    withdraw_url = reverse("comments:withdraw", args=[tokens.withdraw_token(top)])
    own = approved_comment(section, text="Ours, to look at and erase.", name="Lee")
    yours_url = reverse("comments:yours", args=[tokens.withdraw_token(own)])
    erase_url = reverse("comments:yours-erase", args=[tokens.withdraw_token(own)])
    CommentRevision.objects.create(comment=own, text="Ours, corrected, to look at and erase.")
    correct_url = reverse("comments:correct", args=[tokens.withdraw_token(own)])
    mute_url = reverse("comments:mute", args=[tokens.mute_token(top)])
    post_url = reverse("comments:post")
    reason_url = reverse("desk:reason-edit", args=[reason.pk])
    slug = document.slug
    # News by email: a subscription waiting for its confirmation, one confirmed, two to unsubscribe.
    subscribe_url = reverse("subscriptions:subscribe")
    _waiting_subscriber, waiting_token = make_subscriber("waiting@example.org", confirmed=False)
    subscription_confirm_url = reverse("subscriptions:confirm", args=[waiting_token])
    manage_url = reverse("subscriptions:manage", args=[make_subscriber("reader@example.org")[1]])
    unsubscribe_url = reverse("subscriptions:unsubscribe", args=[make_subscriber("leaving@example.org")[1]])
    unsubscribe_now_url = reverse("subscriptions:unsubscribe", args=[make_subscriber("gone@example.org")[1]])
    filled = {
        "kind": "endorse",
        "comment": "We endorse it.\n\n1. Decriminalise.\n2. Fund peer-led clinics.",
        "organisation_name": "Red Umbrella Collective",
        "country": "KE",
        "display": "org",
        "email": "poster@example.org",
    }
    return [
        PageType("home", "campaign:home", reverse("campaign:home")),
        PageType("about", "campaign:about", reverse("campaign:about")),
        PageType("organisations", "campaign:organisations", reverse("campaign:organisations")),
        PageType("organisation", "campaign:organisation", organisation.get_absolute_url()),
        PageType("endorsers", "campaign:endorsers", reverse("campaign:endorsers")),
        PageType("document", "guidance:document", document.get_absolute_url()),
        PageType("report", "campaign:report", reverse("campaign:report", args=[document.slug])),
        PageType("version", "guidance:version", draft.get_absolute_url()),
        PageType("older-version", "guidance:version", original.get_absolute_url()),
        PageType("translation", "guidance:version-translation", french.get_absolute_url()),
        PageType("print", "guidance:version-print", draft.get_print_url()),
        PageType("print-translation", "guidance:version-print-translation", french.get_print_url()),
        PageType("section", "guidance:section", section_url),
        PageType("section-diff", "guidance:section", f"{section_url}?from=1&to=2"),
        PageType("section-propose-wording", "guidance:section", f"{section_url}?passage={passage.key}&kind=amend"),
        PageType("search", "campaign:search", reverse("campaign:search") + "?q=approach"),
        PageType("search-no-results", "campaign:search", reverse("campaign:search") + "?q=zebra&kind=concern"),
        PageType("search-errors", "campaign:search", reverse("campaign:search") + "?q=" + "word+" * 50, status=400),
        PageType("compare-form", "guidance:compare-form", reverse("guidance:compare-form", args=[slug])),
        PageType(
            "compare-form-errors",
            "guidance:compare-form",
            reverse("guidance:compare-form", args=[slug]) + "?a=1&b=9",
            status=400,
        ),
        PageType("compare", "guidance:compare", reverse("guidance:compare", args=[slug, 1, 2])),
        PageType("compare-side", "guidance:compare-side", reverse("guidance:compare-side", args=[slug, 1, 2])),
        PageType(
            "section-compare-side",
            "guidance:section-compare-side",
            reverse("guidance:section-compare-side", args=[slug, section.key, 1, 2]),
        ),
        PageType("reply", "comments:reply", reverse("comments:reply", args=[top.pk])),
        PageType(
            "comment-form-errors",
            "comments:post",
            section_url,
            submit=Submit(
                "Send",
                post_url,
                _comment_form_data(section, comment="We endorse it.", display="org", email="not an address"),
                within="#comments",
            ),
        ),
        PageType(
            "check-your-mail",
            "comments:post",
            section_url,
            submit=Submit("Send", post_url, _comment_form_data(section, **filled), within="#comments"),
        ),
        # The page a valid post redirects to (post/redirect/get), opened directly.
        PageType(
            "sent",
            "comments:sent",
            f"{reverse('comments:sent')}?content_type=guidance.section&object_pk={section.pk}",
        ),
        PageType("confirm", "comments:confirm", confirm_url),
        PageType("confirmed", "comments:confirm", confirm_url, submit=Submit("Confirm my comment", confirm_url)),
        PageType("link-invalid", "comments:confirm", reverse("comments:confirm", args=["no-such-token"]), status=404),
        PageType("withdraw", "comments:withdraw", withdraw_url),
        PageType("withdrawn", "comments:withdraw", withdraw_url, submit=Submit("Withdraw my comment", withdraw_url)),
        PageType("yours", "comments:yours", yours_url),
        PageType("correct", "comments:correct", correct_url),
        PageType(
            "correction-sent",
            "comments:correct",
            correct_url,
            submit=Submit("Send the correction", correct_url, {"comment": "Ours, corrected again."}),
        ),
        PageType(
            "correct-errors",
            "comments:correct",
            correct_url,
            status=400,
            submit=Submit("Send the correction", correct_url, {"comment": "Ours, to look at and erase."}),
        ),
        PageType("erased", "comments:yours-erase", yours_url, submit=Submit("Erase", erase_url, {"understood": "yes"})),
        PageType("mute", "comments:mute", mute_url),
        PageType("muted", "comments:mute", mute_url, submit=Submit("Stop these mails", mute_url)),
        PageType(
            "bad-request",
            "comments:post",
            section_url,
            status=400,
            submit=Submit("Send", post_url, {"content_type": "guidance.nothing", "object_pk": "1"}, within="#comments"),
        ),
        # News by email (campaign/subscriptions).
        PageType("subscribe", "subscriptions:subscribe", subscribe_url),
        PageType(
            "subscribe-errors",
            "subscriptions:subscribe",
            subscribe_url,
            status=400,
            submit=Submit("Subscribe", subscribe_url, {"email": "not an address", "topics": "new_versions"}),
        ),
        PageType(
            "subscribe-check-your-mail",
            "subscriptions:sent",
            subscribe_url,
            submit=Submit("Subscribe", subscribe_url, {"email": "new-reader@example.org", "topics": "closing"}),
        ),
        PageType("subscription-sent", "subscriptions:sent", reverse("subscriptions:sent")),
        PageType("subscription-confirm", "subscriptions:confirm", subscription_confirm_url),
        PageType(
            "subscription-confirmed",
            "subscriptions:confirm",
            subscription_confirm_url,
            submit=Submit("Confirm my subscription", subscription_confirm_url),
        ),
        PageType("subscription-manage", "subscriptions:manage", manage_url),
        PageType(
            "subscription-saved",
            "subscriptions:manage",
            manage_url,
            submit=Submit("Save my choices", manage_url, {"topics": "replies", "language": "fr"}),
        ),
        PageType("unsubscribe", "subscriptions:unsubscribe", unsubscribe_url),
        PageType(
            "unsubscribed",
            "subscriptions:unsubscribed",
            unsubscribe_now_url,
            submit=Submit("Unsubscribe", unsubscribe_now_url, {"via": "page"}),
        ),
        PageType(
            "subscription-link-invalid",
            "subscriptions:manage",
            reverse("subscriptions:manage", args=["no-such-token"]),
            status=404,
        ),
        PageType("not-found", "", "/no-such-page/", status=404),
        PageType("forbidden", "", reverse("desk:home"), who=STRANGER, status=403),
        PageType(
            "csrf-refused",
            "",
            section_url,
            who=MEMBER,
            status=403,
            submit=Submit("Send", post_url, _comment_form_data(section, **filled), within="#comments", csrf=False),
        ),
        PageType("server-error", "", "/", template="500.html", status=500),
        # The moderation desk.
        PageType("desk-sign-in", "desk-sign-in", sign_in_url),
        PageType(
            "desk-sign-in-refused",
            "desk-sign-in",
            sign_in_url,
            submit=Submit("Sign in", sign_in_url, {"username": "coordinator", "password": "not-the-password"}),
        ),
        PageType("desk-review", "desk:home", reverse("desk:home"), who=COORDINATOR),
        PageType("desk-amendments", "desk:amendments", reverse("desk:amendments") + "?show=all", who=COORDINATOR),
        *(
            PageType(f"desk-{state}", "desk:queue", reverse("desk:queue", args=[state]), who=COORDINATOR)
            for state in (State.SPAM, State.APPROVED, State.REJECTED, State.WITHDRAWN)
        ),
        PageType(
            "desk-filtered",
            "desk:queue",
            reverse("desk:queue", args=[State.REVIEW]) + "?kind=question&score_min=1&order=oldest",
            who=COORDINATOR,
        ),
        PageType(
            "desk-after-a-decision",
            "desk:home",
            reverse("desk:home"),
            who=COORDINATOR,
            submit=Submit(
                "Spam", reverse("desk:spam", args=[waiting.pk]), {"next": reverse("desk:home")}, f"#item-{waiting.pk}"
            ),
        ),
        PageType("desk-comment", "desk:comment-log", reverse("desk:comment-log", args=[top.pk]), who=COORDINATOR),
        PageType("desk-log", "desk:log", reverse("desk:log"), who=COORDINATOR),
        PageType("desk-corrections", "desk:corrections", reverse("desk:corrections"), who=COORDINATOR),
        PageType("desk-keywords", "desk:keywords", reverse("desk:keywords"), who=COORDINATOR),
        PageType("desk-reasons", "desk:reasons", reverse("desk:reasons"), who=COORDINATOR),
        PageType("desk-reason", "desk:reason-edit", reason_url, who=COORDINATOR),
        PageType(
            "desk-reason-errors",
            "desk:reason-edit",
            reverse("desk:reason-edit", args=[off_topic.pk]),
            who=COORDINATOR,
            # A title taken by another reason: an error the browser cannot catch before sending.
            submit=Submit("Save", reverse("desk:reason-edit", args=[off_topic.pk]), {"title": "advertising"}),
        ),
        PageType("desk-organisations", "desk:organisations", reverse("desk:organisations"), who=COORDINATOR),
        PageType("desk-stats", "desk:stats", reverse("desk:stats"), who=COORDINATOR),
    ]

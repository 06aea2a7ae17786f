"""In a real browser, at 360 px and 1280 px: finding where to endorse, posting and being told what
happens next, signing only as chosen, and reading the endorsers and the header on a phone."""

from __future__ import annotations

import pytest

from comments.models import OrgComment
from guidance.models import Section
from tests.comments.builders import approved_comment
from tests.e2e.conftest import assert_only_local_requests

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 800}
SIZES = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])


def in_first_screen(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= -1 and box["y"] + box["height"] <= page.viewport_size["height"] + 1


@SIZES
def test_the_call_to_act_is_in_the_first_screen_and_reaches_the_form_in_one_step(
    new_page, live_server, note, viewport, browser_log
):
    section = Section.objects.get(document=note, key="rights-based-approach")
    approved_comment(note, kind="endorse", organisation_name="Sisters Alliance", country="KE", display="org")
    approved_comment(section, kind="endorse", user_name="Jo", display="anonymous", country="FR")
    page = new_page(viewport=viewport, java_script_enabled=False)
    page.goto("/")
    counts = page.locator(".endorsement-counts a")
    assert " ".join(counts.inner_text().split()) == "2 endorsements · 1 organisation · 2 countries"
    assert counts.get_attribute("href") == "/endorsements/"
    for url, name in (("/", "Endorse the note"), (note.get_absolute_url(), "Endorse the note"),
                      (section.get_absolute_url(), "Comment on this section")):  # fmt: skip
        page.goto(url)
        act = page.get_by_role("link", name=name, exact=True)
        assert in_first_screen(page, act), url
        act.click()
        page.wait_for_load_state()
        # One step: the form's heading is on screen, the form belongs to the page it was on.
        assert in_first_screen(page, page.locator("#comment-form")), url
        target = note if url == "/" else None
        if target is not None:
            assert page.url.endswith(f"{note.get_absolute_url()}#comment-form")
    assert_only_local_requests(browser_log, live_server)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("language", ["en", "fr", "es", "ru"])
def test_a_valid_post_answers_with_what_happens_next_in_view(new_page, live_server, note, javascript, language):
    section = Section.objects.get(document=note, key="rights-based-approach")
    prefix = "" if language == "en" else f"/{language}"
    page = new_page(viewport=PHONE, java_script_enabled=javascript)
    page.goto(prefix + section.get_absolute_url())
    form = page.locator("form.comment-form")
    text = "We endorse it.\n" + "x" * 30
    form.locator("textarea[name=comment]").fill(text)
    form.locator("input[name=email]").fill("amina@example.org")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "#" not in page.url and "/comments/sent/" in page.url
    heading = page.locator("h1")
    assert in_first_screen(page, heading)
    assert page.evaluate("window.scrollY") == 0
    expected = {
        "en": "Check your mail: open the link in it within 7 days",
        "fr": "Consultez votre messagerie\u00a0: ouvrez le lien qu'il contient dans les 7\u00a0jours",
        "es": "Revise su correo: abra el enlace que contiene antes de 7 días",
        "ru": "Проверьте почту: откройте ссылку из письма в течение 7 дней",
    }[language]
    assert expected in heading.inner_text()
    assert OrgComment.objects.count() == 1
    # Every link of the switcher leads to a working page.
    for link in page.locator("nav.language a").all():
        href = link.get_attribute("href")
        assert page.request.get(href).status == 200, href


@SIZES
def test_limits_counter_and_preview_show_only_what_the_poster_chose(new_page, live_server, note, viewport):
    section = Section.objects.get(document=note, key="rights-based-approach")
    for javascript in (True, False):
        page = new_page(viewport=viewport, java_script_enabled=javascript)
        page.goto(section.get_absolute_url())
        form = page.locator("form.comment-form")
        assert form.locator("input[name=display]:checked").get_attribute("value") == "anonymous"
        assert form.locator("textarea[name=comment]").get_attribute("maxlength") == "20000"
        assert form.locator("input[name=name]").get_attribute("maxlength") == "50"
        assert "Up to 50 characters." in form.inner_text()
        assert "Never shown: your name, your city." in form.get_by_label("My organisation only").inner_text() or (
            "Never shown: your name, your city." in form.inner_text()
        )
        form.locator("textarea[name=comment]").fill("One\ntwo")
        form.locator("input[name=name]").fill("Amina Diallo")
        form.locator("input[name=organisation_name]").fill("Sisters Alliance")
        form.locator("input[name=city]").fill("Nairobi")
        form.locator("select[name=country]").select_option("KE")
        form.locator("input[name=on_behalf_of]").fill("Red Umbrella")
        preview = page.locator("#signature-preview .signature-text")
        if javascript:
            assert page.locator("#id_comment_counter").inner_text() == "7 of 20,000 characters"
            assert preview.inner_text() == "Anonymous participant · on behalf of Red Umbrella · Kenya"
            form.locator("input[name=hide_country]").check()
            assert preview.inner_text() == "Anonymous participant · on behalf of Red Umbrella"
            form.locator("input[name=hide_country]").uncheck()
            form.locator("#id_display_1").check()
            assert preview.inner_text() == "Sisters Alliance · on behalf of Red Umbrella · Kenya"
            form.locator("#id_display_2").check()
            named = "Amina Diallo · Sisters Alliance · on behalf of Red Umbrella · Nairobi, Kenya"
            assert preview.inner_text() == named
        else:
            assert not page.locator("#signature-preview").is_visible()
            form.locator("#id_display_1").check()
            # No email: the error page shows the signature as it will appear.
            form.locator("button[type=submit]").click()
            page.wait_for_load_state()
            assert page.locator("#signature-preview .signature-text").inner_text() == (
                "Sisters Alliance · on behalf of Red Umbrella · Kenya"
            )
            assert "Amina Diallo" not in page.locator("#signature-preview").inner_text()


@SIZES
def test_the_endorsers_chart_and_the_header_read_on_a_phone(new_page, live_server, note, viewport):
    for code in ("KE", "FR", "BO", "CD"):  # "Congo (the Democratic Republic of the)": a long label
        approved_comment(note, kind="endorse", organisation_name=f"Org {code}", country=code, display="org")
    page = new_page(viewport=viewport)
    page.goto("/endorsements/")
    font_sizes = "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    sizes = page.eval_on_selector_all(".bars .bar-label", font_sizes)
    assert len(sizes) == 4 and min(sizes) >= 12
    overflow = page.evaluate("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")
    assert overflow <= 0
    for language in ("", "/fr", "/es", "/ru"):
        page.goto(f"{language}/")
        header = page.locator("header.site-header").bounding_box()
        brand = page.locator("header .brand").bounding_box()
        languages = page.locator("header nav.language").bounding_box()
        if viewport is PHONE:
            # One row (the name and "Menu") plus the language list.
            menu = page.locator("header summary").bounding_box()
            assert menu["y"] < brand["y"] + brand["height"] and brand["y"] < menu["y"] + menu["height"], language
            row = max(brand["y"] + brand["height"], menu["y"] + menu["height"]) - min(brand["y"], menu["y"])
            assert header["height"] <= row + languages["height"] + 40, language
            assert not page.locator("header nav[aria-label] a[href$='/about/']").is_visible()
            page.locator("header summary").click()
            assert page.locator("header .site-menu nav a").nth(3).is_visible()
        else:
            assert page.locator("header .site-menu nav a").nth(3).is_visible()
            assert not page.locator("header summary").is_visible()


def test_a_french_comment_from_the_english_page_is_marked_french(new_page, live_server, note, eager_tasks, coordinator):
    from django.core import mail

    from comments import services
    from tests.comments.conftest import confirmation_token

    section = Section.objects.get(document=note, key="rights-based-approach")
    page = new_page(viewport=PHONE, java_script_enabled=False)
    page.goto(section.get_absolute_url())
    form = page.locator("form.comment-form")
    assert form.locator("select[name=language]").input_value() == ""  # "Recognise it from my text"
    form.locator("textarea[name=comment]").fill(
        "Nous soutenons cette section. La décriminalisation est la condition de l'accès aux services de santé."
    )
    form.locator("input[name=email]").fill("poster@example.org")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"/comments/confirm/{confirmation_token(mail.outbox[-1])}/")
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    comment = OrgComment.objects.get()
    assert comment.language == "fr"
    services.comment_approve(comment=comment, by=coordinator, reason="test")
    page.goto(section.get_absolute_url())
    assert page.locator(f"#c{comment.pk} [lang=fr]").count() >= 1

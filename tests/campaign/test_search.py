"""The search page (campaign/search): stemming in each language, the current text first, only published
comments signed as their posters chose, safe snippets, filters, pages of results, a fixed number of
queries, the fallback used on SQLite, and the page cache."""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.lib import cache as page_cache
from campaign.search import backends, highlight
from comments import services
from comments.models import OrgComment, State
from guidance.models import Section, Version
from tests import factories
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stemming is PostgreSQL's full-text search (SQLite: the fallback)"
)
SEARCH = "/search/"


def search(client, q: str = "", *, prefix: str = "", status: int = 200, **filters):
    query = urlencode({"q": q, **filters})
    response = client.get(f"{prefix}{SEARCH}?{query}")
    assert response.status_code == status, response.content.decode()[:2000]
    return response


def page(response) -> str:
    return response.content.decode()


class _Results(HTMLParser):
    """Each result of the page: its link, its heading's text and its snippet's HTML as sent."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.results: list[dict] = []
        self._in: str = ""
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "li" and "search-result" in classes:
            self.results.append({"url": "", "heading": "", "snippet": "", "meta": ""})
        elif self.results and tag == "a" and not self.results[-1]["url"]:
            self.results[-1]["url"] = attributes["href"]
        if tag == "h3" and self.results:
            self._in = "heading"
        elif tag == "p" and self.results and "snippet" in classes:
            self._in = "snippet"
        elif tag == "p" and self.results and "meta" in classes:
            self._in = "meta"
        elif self._in == "snippet":
            self.results[-1]["snippet"] += self.get_starttag_text()

    def handle_endtag(self, tag):
        if tag in ("h3", "p") and self._in:
            self._in = ""
        elif self._in == "snippet":
            self.results[-1]["snippet"] += f"</{tag}>"

    def _text(self, text: str) -> None:
        if self._in:
            self.results[-1][self._in] += text

    def handle_data(self, data):
        self._text(data)

    def handle_entityref(self, name):
        self._text(f"&{name};")

    def handle_charref(self, name):
        self._text(f"&#{name};")


def results(response) -> list[dict]:
    parser = _Results()
    parser.feed(page(response))
    for result in parser.results:
        result["heading"] = " ".join(result["heading"].split())
        result["meta"] = " ".join(result["meta"].split())
    return parser.results


@pytest.fixture
def document(db):
    """A note in two versions (the current one translated into French), before any other document."""
    document = factories.DocumentFactory(slug="guidance-note")
    original = factories.VersionFactory(document=document, number=1, label="Original text", kind="original")
    draft = factories.VersionFactory(document=document, number=2, label="Reworked draft")
    french = factories.VersionFactory(
        document=document, number=2, language="fr", label="Projet retravaillé", translation_of=draft
    )
    police = factories.SectionFactory(document=document, key="police")
    health = factories.SectionFactory(document=document, key="health")
    texts = {
        original: [("Police", "Police raids put every worker at risk."), ("Health", "Clinics for all.")],
        draft: [("Police", "Police raids put each worker at risk of violence."), ("Health", "Peer-led clinics.")],
        french: [("Police", "Les descentes mettent chaque travailleuse en danger."), ("Santé", "Des cliniques.")],
    }
    for version, pairs in texts.items():
        for position, (section, (heading, body)) in enumerate(zip((police, health), pairs, strict=True), 1):
            factories.SectionTextFactory(
                version=version,
                section=section,
                position=position,
                number=str(position),
                heading=heading,
                body_markdown=body,
                body_html=f"<p>{body}</p>",
            )
    return document


@pytest.fixture
def police(document):
    return Section.objects.get(document=document, key="police")


@pytest.fixture
def health(document):
    return Section.objects.get(document=document, key="health")


# --- The page without words, and words it refuses ----------------------------------------------------


def test_the_page_opens_on_the_form_alone(client, document):
    response = client.get(SEARCH)

    body = page(response)
    assert "<h1>Search</h1>" in body
    assert 'role="search"' in body and 'name="q"' in body and 'type="search"' in body
    assert '<label for="id_q">Search for' in body
    assert "results-heading" not in body and "Type the words" not in body


def test_before_there_is_a_note_it_finds_nothing_and_says_so(client, db):
    body = page(search(client, "workers"))

    assert "No results for “workers”" in body


def test_it_is_linked_from_every_page_header(client, document):
    home = page(client.get("/fr/"))
    assert 'href="/fr/search/"' in home


def test_an_empty_query_says_what_to_do(client, document):
    body = page(search(client, "   ", kind="note"))

    assert "Type the words you are looking for, then press Search." in body
    assert "results-heading" not in body


def test_a_query_too_long_is_refused_with_a_message_never_cut(client, document):
    body = page(search(client, "worker " * 40, status=400))

    assert "Use at most 200 characters (this has 279): keep the few words that matter most." in body
    assert 'id="error-summary"' in body and 'href="#id_q"' in body
    assert "results-heading" not in body


@pytest.mark.parametrize(
    "parameters",
    [{"q": "worker\x00"}, {"q": "worker", "section": "no-such-section"}, {"q": "worker", "kind": "spam"}],
)
def test_words_or_filters_no_page_offers_are_a_400_with_the_form(client, document, parameters):
    response = client.get(SEARCH, parameters)

    assert response.status_code == 400
    assert 'id="error-summary"' in page(response)


# --- Stemming, in each language ---------------------------------------------------------------------


@postgres_only
def test_english_words_find_their_other_forms(client, document):
    found = results(search(client, "workers"))

    assert [r["url"] for r in found] == ["/note/guidance-note/sections/police/", "/note/guidance-note/v1/#police"]
    assert "<mark>worker</mark>" in found[0]["snippet"]


@postgres_only
def test_french_words_find_their_other_forms_in_french_texts_and_comments(client, document, police):
    approved_comment(police, text="Nous soutenons les travailleuses du sexe.", language="fr", display="anonymous")

    found = results(search(client, "travailleuses", prefix="/fr"))

    assert found[0]["url"] == "/fr/note/guidance-note/sections/police/"
    assert "<mark>travailleuse</mark>" in found[0]["snippet"]
    assert "<mark>travailleuses</mark>" in found[1]["snippet"]
    assert len(found) == 2


@postgres_only
@pytest.mark.parametrize(
    ("language", "text", "query", "marked"),
    [
        ("es", "Apoyamos a las trabajadoras sexuales.", "trabajadora", "trabajadoras"),
        ("ru", "Мы поддерживаем права работниц секса.", "работница", "работниц"),
        ("pt", "Apoiamos as trabalhadoras.", "trabalhadoras", "trabalhadoras"),  # no stemming: words as written
    ],
)
def test_each_comment_is_read_in_its_own_language(client, police, language, text, query, marked):
    approved_comment(police, text=text, language=language)

    found = results(search(client, query))

    assert len(found) == 1
    assert f"<mark>{marked}</mark>" in found[0]["snippet"]


@postgres_only
def test_stop_words_alone_find_nothing_and_say_so(client, document):
    body = page(search(client, "the"))

    assert "No results for “the”" in body
    assert "fewer words, or other words with the same meaning" in body


# --- Order: the current text first -----------------------------------------------------------------


def test_the_current_text_comes_first_then_comments_then_earlier_versions(client, document, police):
    approved_comment(police, text="Police raids must stop.", kind="concern", display="anonymous")

    found = results(search(client, "raids"))

    assert len(found) == 3
    assert found[0]["url"] == "/note/guidance-note/sections/police/"
    assert "The current text" in found[0]["meta"]
    assert found[1]["url"].startswith("/comments/c/")
    assert found[2]["url"] == "/note/guidance-note/v1/#police"
    assert "An earlier version" in found[2]["meta"] and "Original text" in found[2]["meta"]


# --- Only what the public may see, signed as chosen ------------------------------------------------


def test_only_published_comments_are_found(client, document, police):
    shown = approved_comment(police, text="Published: decriminalise now.")
    hidden_parent = approved_comment(police, text="A parent that was then rejected.")
    for state in (State.REVIEW, State.SPAM, State.REJECTED, State.WITHDRAWN, State.UNCONFIRMED, State.PENDING):
        held = approved_comment(police, text=f"Held {state}: decriminalise now.")
        OrgComment.objects.filter(pk=held.pk).update(state=state, is_public=False)
    reply = approved_comment(police, parent=hidden_parent, text="A reply under it: decriminalise now.")
    services.comment_reject(comment=hidden_parent, by=None, reason="off topic")
    removed = approved_comment(police, text="Removed: decriminalise now.")
    OrgComment.objects.filter(pk=removed.pk).update(is_removed=True)
    reply.refresh_from_db()
    assert not reply.is_public

    found = results(search(client, "decriminalise"))

    assert [r["url"] for r in found] == [shown.get_absolute_url()]


def test_a_comment_shows_only_the_signature_its_poster_chose(client, document, police):
    approved_comment(
        police,
        text="We fear the police raids.",
        display="anonymous",
        name="Secret Person",
        organisation_name="Hidden Collective",
        city="Hidden City",
        country="UG",
        show_country=False,
        user_email="secret.person@example.org",
    )
    approved_comment(
        police,
        text="The raids hurt us too.",
        display="org",
        name="Another Secret",
        organisation_name="Open Collective",
        city="Kampala",
        country="UG",
    )

    response = search(client, "raids", kind="concern")
    everything = search(client, "raids")

    assert results(response) == []
    body = page(everything)
    for secret in ("Secret Person", "Hidden Collective", "Hidden City", "secret.person", "Another Secret", "Kampala"):
        assert secret not in body
    comments = [r for r in results(everything) if r["url"].startswith("/comments/")]
    assert [c["heading"] for c in comments] == ["Comment · Open Collective", "Comment · Anonymous participant"]
    assert "Uganda" in comments[0]["meta"] and "Uganda" not in comments[1]["meta"]


def test_names_and_organisations_are_never_searched(client, document, police):
    approved_comment(police, text="We agree.", display="anonymous", name="Zenobia", organisation_name="Quorra Group")

    assert results(search(client, "Zenobia")) == []
    assert results(search(client, "Quorra")) == []


# --- Safe snippets --------------------------------------------------------------------------------

HOSTILE = 'Raids <script>alert(1)</script> and <img src=x onerror="alert(2)"> and "quotes" & <b>bold</b> <img src=y'


def only_marks(html: str) -> bool:
    return set(re.findall(r"</?([a-zA-Z0-9]+)", html)) <= {"mark"}


def test_hostile_comment_text_comes_out_escaped_with_only_marks(client, document, police):
    approved_comment(police, text=HOSTILE, display="anonymous")

    response = search(client, "raids", kind="comment")

    (found,) = results(response)
    assert only_marks(found["snippet"]), found["snippet"]
    assert "<mark>Raids</mark>" in found["snippet"]
    body = page(response)
    assert "<script>alert" not in body and "<img src=x" not in body and "<b>bold" not in body
    assert "onerror" not in body or "onerror=&quot;alert(2)&quot;" in body


def test_hostile_text_in_the_note_comes_out_escaped(client, police):
    version = Version.objects.get(number=2, language="en")
    text = version.texts.get(section=police)
    text.heading = "Police <script>alert(3)</script> raids"
    text.body_text = 'Raids & <img src=x onerror="alert(4)"> more raids.'
    text.save()

    found = results(search(client, "raids"))[0]

    assert only_marks(found["snippet"]), found["snippet"]
    assert "<script>alert(3)" not in page(search(client, "raids"))
    assert "<mark>raids</mark>" in found["snippet"].casefold()


def test_marked_escapes_everything_and_writes_only_marks():
    headline = (
        f"a <script>x</script> {highlight.START}<img onerror=y>{highlight.STOP} & {highlight.STOP}b{highlight.START}"
    )

    html = highlight.marked(headline)

    assert html == "a &lt;script&gt;x&lt;/script&gt; <mark>&lt;img onerror=y&gt;</mark> &amp; b"


# --- The fallback (SQLite): matches found and marked in Python --------------------------------------


def test_terms_are_the_words_to_find():
    assert highlight.terms('"sex workers" -police or Police Rights rights') == ["sex", "workers", "Police", "Rights"]


def test_highlight_escapes_first_and_marks_every_match_in_any_case():
    html = highlight.highlight("Workers & <b>workers</b>: WORKERS’ rights", ["workers"])  # noqa: RUF001

    assert html == (
        "<mark>Workers</mark> &amp; &lt;b&gt;<mark>workers</mark>&lt;/b&gt;: <mark>WORKERS</mark>’ rights"  # noqa: RUF001
    )


def test_highlight_never_marks_inside_an_escaped_character():
    assert highlight.highlight("a & b < c", ["amp", "lt"]) == "a &amp; b &lt; c"


def test_snippet_cuts_around_the_first_match_between_words():
    text = " ".join(f"word{n}" for n in range(200)) + " police raid " + " ".join(f"after{n}" for n in range(200))

    html = highlight.snippet(text, ["raid"], width=120)

    assert html.startswith("… ") and html.endswith(" …")
    assert "<mark>raid</mark>" in html
    assert len(html) < 200
    assert not re.search(r"(^… |\s)\S*word1\d\d[a-z]", html)  # no word cut in half


def test_snippet_of_a_text_without_a_match_is_its_start():
    assert highlight.snippet("One two three.", ["four"]) == "One two three."
    assert highlight.snippet("<i>One</i>", []) == "&lt;i&gt;One&lt;/i&gt;"


@pytest.fixture
def fallback(monkeypatch):
    """The SQLite fallback, on whatever database the tests run (icontains works on both)."""
    monkeypatch.setattr("campaign.search.selectors.backend", backends.SimpleSearch)


def test_the_fallback_finds_every_word_in_any_case_and_marks_it(client, document, police, fallback):
    approved_comment(police, text=HOSTILE, display="anonymous")

    found = results(search(client, "RAIDS"))
    both = results(search(client, "raids Violence"))

    assert [r["url"] for r in both] == ["/note/guidance-note/sections/police/"]
    assert [r["url"] for r in found] == [
        "/note/guidance-note/sections/police/",
        found[1]["url"],
        "/note/guidance-note/v1/#police",
    ]
    assert found[1]["url"].startswith("/comments/c/")
    assert "<mark>Raids</mark>" in found[1]["snippet"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in found[1]["snippet"]
    assert all(only_marks(r["snippet"]) for r in found)
    assert "Police <mark>raids</mark> put each worker at risk" in found[0]["snippet"]
    assert "<mark>raids</mark> put each worker at risk of <mark>violence</mark>" in both[0]["snippet"]


# --- Filters --------------------------------------------------------------------------------------


@pytest.fixture
def discussed(document, police, health):
    """Comments in several kinds, languages and countries, one of them withholding its country."""
    return {
        "police-concern-ke": approved_comment(police, text="Raids again.", kind="concern", country="KE"),
        "police-endorse-fr": approved_comment(
            police, text="Raids : nous soutenons.", kind="endorse", language="fr", country="FR"
        ),
        "health-question-withheld": approved_comment(
            health, text="Raids near clinics?", kind="question", country="UG", show_country=False
        ),
        "note-comment": approved_comment(document, text="Raids everywhere.", kind="comment", country="KE"),
    }


def urls(response) -> list[str]:
    return [r["url"] for r in results(response)]


def test_filters_offer_the_current_sections_kinds_languages_and_shown_countries(client, discussed):
    body = page(search(client, "raids"))

    assert re.search(r'<option value="police"[^>]*>1 Police</option>', body)
    assert '<option value="note"' in body and '<option value="concern"' in body
    assert '<option value="fr"' in body and '<option value="en"' in body
    assert '<option value="KE"' in body and '<option value="FR"' in body
    assert '<option value="UG"' not in body  # withheld: not a country anyone may narrow to


def test_the_section_filter_keeps_that_section_s_texts_and_comments(client, discussed):
    found = urls(search(client, "raids", section="police"))

    assert discussed["police-concern-ke"].get_absolute_url() in found
    assert discussed["health-question-withheld"].get_absolute_url() not in found
    assert discussed["note-comment"].get_absolute_url() not in found
    assert "/note/guidance-note/sections/police/" in found


def test_the_kind_filter_keeps_the_note_or_one_kind_of_comment(client, discussed):
    assert all(url.startswith("/note/") for url in urls(search(client, "raids", kind="note")))
    assert urls(search(client, "raids", kind="concern")) == [discussed["police-concern-ke"].get_absolute_url()]


def test_the_language_filter_keeps_texts_and_comments_in_that_language(client, discussed):
    found = urls(search(client, "raids", language="fr"))

    assert found == [discussed["police-endorse-fr"].get_absolute_url()]


def test_the_country_filter_keeps_comments_that_show_it(client, discussed):
    assert set(urls(search(client, "raids", country="KE"))) == {
        discussed["note-comment"].get_absolute_url(),
        discussed["police-concern-ke"].get_absolute_url(),
    }
    # Withheld: the filter does not offer it, and asked for all the same it finds nothing.
    assert search(client, "raids", country="UG", status=400)


def test_no_result_with_filters_offers_the_same_words_without_them(client, discussed):
    body = page(search(client, "raids", kind="question", language="fr"))

    assert "No results for “raids”" in body
    assert 'href="/search/?q=raids">the same words without the filters.' in body


# --- Pages of results -----------------------------------------------------------------------------


def test_results_come_twenty_a_page_and_the_links_keep_the_words_and_filters(client, document, police):
    for n in range(45):
        approved_comment(police, text=f"Raids, statement {n}.", kind="concern", display="anonymous")

    first = search(client, "raids", kind="concern")
    third = search(client, "raids", kind="concern", page="3")

    assert len(results(first)) == 20 and len(results(third)) == 5
    body = page(first)
    assert "45 results for “raids”" in body
    assert "Showing results 1 to 20" in body and "Page 1 of 3" in body
    assert re.search(r'href="\?q=raids&amp;kind=concern&amp;page=2"\s+rel="next"', body)
    assert '<ol class="search-results" start="41">' in page(third)
    assert re.search(r'href="\?q=raids&amp;kind=concern&amp;page=2"\s+rel="prev"', page(third))


# --- Queries: a fixed number, whatever the number of results ------------------------------------


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_results(client, document, police, health):
    approved_comment(police, text="Raids, one.", name="Amina", organisation_name="Sisters", display="name_org")
    url = f"{SEARCH}?q=raids"
    client.get(url)  # content types and the like, cached by the process
    few = queries(client, url)
    assert len(results(client.get(url))) == 3

    organisation = factories.OrganisationFactory(verified_at=None)
    for n in range(30):
        target = police if n % 2 else health
        approved_comment(target, text=f"Raids, {n}.", organisation=organisation, organisation_name="Org", country="KE")
    many = queries(client, url)

    assert len(results(client.get(url))) == 20
    assert few == many == 7


def test_one_result_costs_the_same_queries_as_thirty(client, document, police, django_assert_num_queries):
    approved_comment(police, text="Lonely raids.")
    client.get(f"{SEARCH}?q=lonely&kind=comment")
    with django_assert_num_queries(6):
        assert len(results(client.get(f"{SEARCH}?q=lonely&kind=comment"))) == 1
    for n in range(29):
        approved_comment(police, text=f"Lonely {n}.", display="name_org", name=f"Poster {n}")
    with django_assert_num_queries(6):
        assert len(results(client.get(f"{SEARCH}?q=lonely&kind=comment"))) == 20


# --- The page cache -------------------------------------------------------------------------------


@pytest.fixture
def cached(transactional_db, settings, tmp_path):
    """Hits and misses for real (no test-wide transaction), in a cache namespace of this test's own."""
    default = dict(settings.CACHES["default"])
    default["KEY_PREFIX"] = f"search-{uuid.uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "default": default}
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "page-cache-generation"


def test_a_repeated_search_is_served_from_the_cache_until_a_decision(client, cached, document, police):
    url = f"{SEARCH}?{urlencode({'q': 'raids', 'section': '', 'kind': '', 'language': '', 'country': ''})}"
    first = client.get(url)
    with CaptureQueriesContext(connection) as context:
        second = client.get(url)

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert len(context.captured_queries) == 0
    comment = approved_comment(police, text="Raids, newly published.")
    OrgComment.objects.filter(pk=comment.pk).update(state=State.REVIEW, is_public=False)
    comment.refresh_from_db()
    services.comment_approve(comment=comment, by=None, reason="fine")
    third = client.get(url)
    assert third["X-Page-Cache"] == "miss"
    assert comment.get_absolute_url() in page(third)


@pytest.mark.parametrize(
    "query",
    [
        "q=%20raids",  # not as the form leaves the words
        "q=raids%20%20police",
        "q=raids&utm_source=x",
        "q=raids&q=police",
        "q=" + "a" * 201,
    ],
)
def test_searches_not_as_the_form_sends_them_are_not_stored(client, cached, document, query):
    response = client.get(f"{SEARCH}?{query}")
    assert response["X-Page-Cache"] == "private"


def test_search_words_on_another_page_store_nothing(client, cached, document, police):
    response = client.get(f"{police.get_absolute_url()}?q=raids")

    assert response.status_code == 200
    assert response["X-Page-Cache"] == "private"
    assert page_cache.storable_query("q=raids") is False


def test_the_search_page_is_public_page_cached():
    from campaign.search.views import search as view

    assert getattr(view, page_cache.MARKER)
    assert reverse("campaign:search") == SEARCH

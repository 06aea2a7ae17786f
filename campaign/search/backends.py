"""How words are found: PostgreSQL's full-text search, or a plain fallback for SQLite (the demo).

Both backends answer the same four questions for ``campaign.search.selectors``: which section texts
match (with a rank), which comments match (with a rank), and, for the few rows a page shows, their
highlighted heading and snippet as safe HTML (``campaign.search.highlight``).

PostgreSQL
    Each row is read with the text search configuration of its own language (``CONFIGS``: stemming
    and stop words of English, French, Spanish, Russian; ``simple`` for any other language a comment
    is written in), and the query too, with ``websearch_to_tsquery`` (words, "quoted phrases",
    -left-out, or): "workers" finds "worker", "travailleuses" finds "travailleuse". A section's
    heading weighs more than its body. Snippets are ``ts_headline`` over the plain text, computed
    only for the page's rows.

    No index serves these queries, on purpose: the text and the language of a row live in two
    tables (a section text's language is its version's; a comment's text is in django-comments' own
    table), so an index can only hold one configuration per expression. With one GIN index per
    configuration, measured on 3,340 published comments and 1,860 section texts, a rare word was
    found 4 to 6 times faster, but a common one 4 times slower (the planner then reads every row
    through five configurations). The README ("Search") has the figures.

SQLite
    Every word of the query (``highlight.terms``) must occur in the text, in any case (SQLite folds
    the case of ASCII letters only); no stemming, no rank. Snippets are cut and marked in Python.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, CharField, FloatField, Q, QuerySet, Value, When
from django.utils.safestring import SafeString

from campaign.search import highlight

#: The text search configuration of each language the site speaks (PostgreSQL's own).
CONFIGS = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian"}
#: For a text in any other language: words as written, no stemming, no stop words.
OTHER_CONFIG = "simple"
# A rank that does not grow with a text's length alone (ts_rank's normalisation 1: divided by 1 + log length).
_RANK_NORMALISATION = 1
_HEADLINE = {"start_sel": highlight.START, "stop_sel": highlight.STOP}
_SNIPPET = {**_HEADLINE, "max_fragments": 2, "max_words": 24, "min_words": 10, "fragment_delimiter": " … "}


def _config(language_field: str) -> Case:
    """The configuration of each row, by its language: ``CASE language WHEN 'fr' THEN 'french' ...``."""
    whens = [When(**{language_field: code}, then=Value(config)) for code, config in CONFIGS.items()]
    return Case(*whens, default=Value(OTHER_CONFIG), output_field=CharField())


class PostgresSearch:
    """Full-text search with each row's own language (see the module's docstring)."""

    #: The columns a page's rows need loaded for their snippets (here none: the database writes them).
    text_fields: tuple[str, ...] = ()
    comment_fields: tuple[str, ...] = ()

    def __init__(self, query: str) -> None:
        self.query = query

    def _query(self, language_field: str) -> SearchQuery:
        return SearchQuery(self.query, config=_config(language_field), search_type="websearch")

    def texts(self, texts: QuerySet) -> QuerySet:
        config = _config("version__language")
        heading = SearchVector("heading", weight="A", config=config)
        vector = heading + SearchVector("body_text", weight="B", config=config)
        query = self._query("version__language")
        return (
            texts.alias(document=vector)
            .filter(document=query)
            .annotate(rank=SearchRank(vector, query, normalization=Value(_RANK_NORMALISATION)))
        )

    def comments(self, comments: QuerySet) -> QuerySet:
        config = _config("language")
        vector = SearchVector("comment", config=config)
        query = self._query("language")
        return (
            comments.alias(document=vector)
            .filter(document=query)
            .annotate(rank=SearchRank(vector, query, normalization=Value(_RANK_NORMALISATION)))
        )

    def text_snippets(self, texts: QuerySet) -> QuerySet:
        config = _config("version__language")
        query = self._query("version__language")
        return texts.annotate(
            marked_heading=SearchHeadline("heading", query, config=config, highlight_all=True, **_HEADLINE),
            marked_body=SearchHeadline("body_text", query, config=config, **_SNIPPET),
        )

    def comment_snippets(self, comments: QuerySet) -> QuerySet:
        return comments.annotate(
            marked_text=SearchHeadline("comment", self._query("language"), config=_config("language"), **_SNIPPET)
        )

    def heading(self, text) -> SafeString:
        return highlight.marked(text.marked_heading)

    def body(self, text) -> SafeString:
        return highlight.marked(text.marked_body)

    def comment(self, comment) -> SafeString:
        return highlight.marked(comment.marked_text)


class SimpleSearch:
    """Every word, in any case, anywhere in the text: the embedded demo's SQLite (see the module's docstring)."""

    text_fields = ("body_text",)
    comment_fields = ("comment",)

    def __init__(self, query: str) -> None:
        self.words = highlight.terms(query)

    def _all_words(self, *fields: str) -> Q:
        found = Q()
        for word in self.words:
            anywhere = Q()
            for name in fields:
                anywhere |= Q(**{f"{name}__icontains": word})
            found &= anywhere
        return found

    def texts(self, texts: QuerySet) -> QuerySet:
        if not self.words:
            return texts.none()
        return texts.filter(self._all_words("heading", "body_text")).annotate(
            rank=Value(0.0, output_field=FloatField())
        )

    def comments(self, comments: QuerySet) -> QuerySet:
        if not self.words:
            return comments.none()
        return comments.filter(self._all_words("comment")).annotate(rank=Value(0.0, output_field=FloatField()))

    def text_snippets(self, texts: QuerySet) -> QuerySet:
        return texts

    def comment_snippets(self, comments: QuerySet) -> QuerySet:
        return comments

    def heading(self, text) -> SafeString:
        return highlight.highlight(text.heading, self.words)

    def body(self, text) -> SafeString:
        return highlight.snippet(text.body_text, self.words)

    def comment(self, comment) -> SafeString:
        return highlight.snippet(comment.comment, self.words)


def backend(query: str) -> PostgresSearch | SimpleSearch:
    """The search for ``query`` on this database: PostgreSQL's full text, or the fallback."""
    return PostgresSearch(query) if connection.vendor == "postgresql" else SimpleSearch(query)

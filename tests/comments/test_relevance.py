"""Relevance to the note: comments about something else go to review, whoever posts them."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.pages.management.commands.load_demo import ensure_document, import_demo_versions
from comments import relevance, screening, services
from comments.models import OrgComment, State
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture
def sample_note():
    """The demo's note, in its versions and translations (English, French, Spanish)."""
    document, _ = ensure_document()
    import_demo_versions(document, FIXTURES, lambda *args, **kwargs: None)
    relevance.forget()
    yield document
    relevance.forget()


def pending(target, text: str, **fields) -> OrgComment:
    comment = approved_comment(target, text=text, **fields)
    OrgComment.objects.filter(pk=comment.pk).update(state=State.PENDING, is_public=False)
    comment.refresh_from_db()
    return comment


UNRELATED = [
    "Join us for our annual fundraising gala dinner on 12 March at the Grand Hotel, tickets available at the door,"
    " live music and dancing all night.",
    "Vends canapé d'angle en cuir marron, très bon état, à récupérer à domicile près de Marseille, prix à débattre,"
    " appelez le soir après dix-huit heures.",
    "Alquilo apartamento de dos habitaciones en el centro de Madrid, amueblado, cerca del metro, precio negociable,"
    " llamar por las tardes.",
    "Продаю детскую коляску в отличном состоянии, почти новая, недорого, самовывоз из центра города, звоните"
    " вечером после шести.",
]
RELATED = [
    "We endorse this.",
    "Nous soutenons.",
    "Apoyamos.",
    "Мы поддерживаем.",
    "The section on police violence should also say that condoms must never be used as evidence against sex workers.",
    "Nous demandons que le financement direct des organisations de travailleuses du sexe soit une recommandation"
    " à part entière de la note.",
    "La sección sobre violencia debe incluir la violencia policial en las redadas contra las trabajadoras sexuales.",
    "Мы поддерживаем эту редакцию и просим добавить в раздел о насилии упоминание о насилии со стороны"  # noqa: RUF001
    " медицинских работников и полиции.",
]


@pytest.mark.parametrize("text", UNRELATED)
def test_a_comment_about_something_else_is_found_unrelated_in_four_languages(sample_note, text):
    result = screening.check_relevance(pending(sample_note, text))
    assert result.hold and result.code == "unrelated", result


@pytest.mark.parametrize("text", RELATED)
def test_endorsements_and_comments_on_the_note_are_not_flagged_in_four_languages(sample_note, text):
    result = screening.check_relevance(pending(sample_note, text))
    assert not result.hold and result.score == 0


def test_a_comment_on_a_section_is_compared_with_the_whole_note(sample_note):
    section = sample_note.sections.first()
    assert screening.check_relevance(pending(section, UNRELATED[0])).hold
    assert not screening.check_relevance(pending(section, RELATED[4])).hold


def test_a_trusted_posters_off_topic_announcement_goes_to_review(sample_note):
    known = {"user_email": "known@example.org", "confirmed_by_mail": True}
    approved_comment(sample_note, text="An earlier endorsement.", **known)
    comment = pending(sample_note, UNRELATED[0], form_seconds=120, **known)
    assert screening.is_trusted(comment)
    assert services.comment_screen(comment_id=comment.pk) == State.REVIEW
    comment.refresh_from_db()
    assert "Seems unrelated to the note" in comment.events.get(action="screen").reason
    on_topic = pending(sample_note, RELATED[4], form_seconds=120, **known)
    assert services.comment_screen(comment_id=on_topic.pk) == State.APPROVED


def test_a_note_too_short_to_compare_with_judges_nothing(section):
    assert not screening.check_relevance(pending(section, UNRELATED[0])).hold


def test_the_notes_words_are_read_again_only_when_its_text_changes(sample_note, django_assert_num_queries, settings):
    comment = pending(sample_note, RELATED[4])
    screening.check_relevance(comment)
    settings.COMMENTS_SCREENING_CACHE_SECONDS = 0
    with django_assert_num_queries(1):  # the texts' stamp only
        screening.check_relevance(comment)
    settings.COMMENTS_SCREENING_CACHE_SECONDS = 3600
    with django_assert_num_queries(0):
        screening.check_relevance(comment)


@pytest.mark.parametrize(
    "text",
    [
        "نحن منظمة مجتمعية في بيروت وندعم هذه المذكرة، ونطالب بحماية العاملات المهاجرات من الترحيل والعنف.",
        "Tunaunga mkono mwongozo huu. Polisi wa Nairobi wanatumia kondomu kama ushahidi dhidi yetu; hili likomeshwe.",
        "Apoiamos a nota. Em Maputo, as trabalhadoras do sexo são presas por vadiagem; isso precisa mudar já.",
    ],
)
def test_a_comment_in_a_language_the_note_is_not_written_in_is_not_judged(sample_note, text):
    # Its words cannot be found in an English, French or Spanish note, whatever it says.
    comment = pending(sample_note, text, language="xx")
    comment.language = {"ن": "ar", "T": "sw", "A": "pt"}[text[0]]
    assert screening.check_relevance(comment).hold is False
    comment.language = "en"  # told it is English, the same words would be judged unrelated
    assert screening.check_relevance(comment).hold is True

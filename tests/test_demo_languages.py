"""The demo in three languages: its content's French and Spanish versions (the project's own,
and said to be), its delegates and focal points reading different languages, the mail
following them, and loading again changing nothing."""

from sqlalchemy import func, select

from tests.conftest import outbox
from wenevents import demo as demo_data
from wenevents.accounts.models import User
from wenevents.agenda import releases
from wenevents.agenda.models import AgendaItem, Release, Session
from wenevents.demo import translations as demo_translations
from wenevents.extensions import db
from wenevents.languages import TRANSLATED, missing, translation
from wenevents.meetings.models import Meeting
from wenevents.networks.models import Network
from wenevents.registration import workflow
from wenevents.registration.models import ENDORSED, Registration, RegistrationEvent
from wenevents.uploads.models import Document

MODELS = (Meeting, Network, Session, AgendaItem, Document, Registration, User, Release)


def fourth():
    return db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))


def demo_objects():
    """Everything of the demo that has French and Spanish versions."""
    meeting = fourth()
    return [
        meeting.series,
        *db.session.scalars(select(Meeting).order_by(Meeting.number)),
        *db.session.scalars(select(Network).order_by(Network.slug)),
        *meeting.sessions,
        *(item for session in meeting.sessions for item in session.items),
        *meeting.documents,
    ]


def snapshot():
    """The counts of the demo's rows and every translation, to compare two loads."""
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in MODELS]
    return counts, [(type(o).__name__, o.id, o.translations) for o in demo_objects()]


def test_fourth_meeting_has_french_and_spanish_title(demo):
    meeting = fourth()

    assert translation(meeting, "title", "fr") == (
        "Quatrième Réunion mondiale des réseaux de lutte contre la fraude liée aux espèces sauvages"
    )
    assert translation(meeting, "title", "es") == (
        "Cuarta Reunión mundial de redes de observancia y aplicación de la normativa sobre "
        "vida silvestre"
    )
    assert translation(meeting, "description", "fr").startswith("Le Secrétariat de la")
    assert translation(meeting, "description", "es").startswith("La Secretaría de la")
    assert "\n\n" in translation(meeting, "description", "fr")  # two paragraphs, as in English


def test_every_public_session_and_every_network_in_french_and_spanish(demo):
    public = [s for s in fourth().sessions if s.is_public]
    networks = db.session.scalars(select(Network)).all()

    assert len(public) == 6 and len(networks) == 14
    for language in TRANSLATED:
        assert all(translation(s, "title", language) for s in public)
        assert all(translation(n, "name", language) for n in networks)
    comifac = db.session.scalar(select(Network).where(Network.slug == "comifac"))
    assert translation(comifac, "name", "fr").startswith("Commission des forêts d'Afrique centrale")
    roavis = db.session.scalar(select(Network).where(Network.slug == "roavis"))
    assert translation(roavis, "name", "es").startswith(
        "Red de Observancia y Aplicación de la Normativa de Vida Silvestre"
    )


def test_nothing_of_the_demo_lacks_a_version(demo):
    """Every text of the demo in a translated field has both versions: the table of
    translations matches the demo's English texts, a changed English text shows here."""
    lacking = {
        (type(obj).__name__, obj.id, language, field)
        for obj in demo_objects()
        for language in TRANSLATED
        for field in missing(obj, language)
    }
    assert lacking == set()


def test_every_translation_of_the_table_is_used(demo):
    """No entry of the table is for a text the demo no longer has (a typo, an old title)."""
    english = {getattr(obj, field) for obj in demo_objects() for field in obj.translated_fields}
    assert set(demo_translations.TEXTS) - english == set()


def test_the_disclaimer_says_the_translation_is_the_projects(demo):
    meeting = fourth()

    assert translation(meeting, "disclaimer", "fr").endswith(
        "Traduction assurée par le projet wenevents, non officielle."
    )
    assert translation(meeting, "disclaimer", "es").endswith(
        "Traducción no oficial, realizada por el proyecto wenevents."
    )


def test_the_site_shows_the_translation_and_its_note(client, demo):
    page = client.get("/fr/gmwen4/").text
    schedule = client.get("/es/gmwen4/schedule").text

    assert "Quatrième Réunion mondiale des réseaux" in page
    assert "Traduction assurée par le projet wenevents, non officielle." in page
    assert "Mayor colaboración y comunicación" in schedule
    assert "Traducción no oficial, realizada por el proyecto wenevents." in schedule


def test_the_first_release_carries_the_translations(demo):
    release = db.session.scalars(select(Release)).one()
    first = release.snapshot["sessions"][0]

    assert first["translations"]["fr"]["title"].startswith("Résultats de la 3e Réunion mondiale")
    assert first["items"][0]["translations"]["es"]["title"] == "Bienvenida y palabras de apertura"


def test_document_titles_follow_the_network_and_the_presentation(demo):
    documents = fourth().documents
    sheet = next(d for d in documents if d.kind == "information_sheet" and d.network.slug == "latf")
    slides = [d for d in documents if d.kind == "slides"]

    assert translation(sheet, "title", "fr") == (
        "Fiche d'information\u00a0: Équipe spéciale de l'Accord de Lusaka"
    )
    assert translation(sheet, "title", "es") == (
        "Ficha informativa: Equipo de Tareas del Acuerdo de Lusaka"
    )
    assert slides
    for document in slides:
        item = document.agenda_item
        for language in TRANSLATED:
            assert translation(document, "title", language) == (
                f"{translation(item, 'title', language)} ({item.network.acronym})"
            )


def test_registrations_in_each_language_matching_their_networks(demo):
    rows = db.session.execute(
        select(Registration.language, Network.slug)
        .outerjoin(Network)
        .where(Registration.meeting_id == fourth().id)
    ).all()

    assert {language for language, _slug in rows} == {"en", "fr", "es"}
    by_network = {}
    for language, slug in rows:
        by_network.setdefault(slug, set()).add(language)
    assert by_network["comifac"] == by_network["rilo-ca"] == by_network["rilo-wa"] == {"fr"}
    assert by_network["roavis"] == by_network["sudwen"] == {"es"}
    assert "naweg" not in by_network  # the demo focal point's queue is the visitor's to fill


def test_delegates_and_focal_points_read_different_languages(demo):
    demo_data.reset_demo_passwords()
    language_of = dict(db.session.execute(select(User.email, User.language)).all())

    assert language_of["organiser@example.org"] == "en"
    assert language_of["comifac.focal1@example.org"] == "fr"
    assert language_of["roavis.focal1@example.org"] == "es"
    for registration in db.session.scalars(select(Registration)):
        assert registration.user.language == registration.language
        assert not registration.user.password_hash  # nobody signs in as them


def test_an_endorsement_by_a_focal_point_with_an_account_names_them(demo):
    endorsed = db.session.scalar(
        select(RegistrationEvent)
        .join(Registration)
        .where(Registration.email == "comifac.delegate1@example.org")
        .where(RegistrationEvent.to_status == ENDORSED)
    )
    assert endorsed.actor_email == "comifac.focal1@example.org"


def test_approving_a_french_delegate_mails_in_french(app, demo):
    demo_data.reset_demo_passwords()
    organiser = db.session.scalar(select(User).where(User.email == "organiser@example.org"))
    registration = db.session.scalar(
        select(Registration).where(Registration.email == "comifac.delegate2@example.org")
    )
    assert (registration.status, registration.language) == (ENDORSED, "fr")

    with app.test_request_context():
        workflow.approve(registration, organiser)
        db.session.commit()  # as the view does: the mail is queued with the step

    message = outbox(app)[-1]
    assert message["To"] == "comifac.delegate2@example.org"
    assert "Quatrième Réunion mondiale" in message["Subject"]


def test_load_again_changes_nothing(runner):
    runner.invoke(args=["load-demo"])
    before = snapshot()

    result = runner.invoke(args=["load-demo"])

    assert result.output == "Demo data already present: nothing changed.\n"
    db.session.expire_all()
    assert snapshot() == before


def test_an_older_demo_gets_the_translations_and_registrations_on_the_next_load(runner):
    runner.invoke(args=["load-demo"])
    # As a demo loaded before there were translations and registrations.
    for obj in demo_objects():
        obj.translations = {}
    db.session.execute(db.delete(RegistrationEvent))
    db.session.execute(db.delete(Registration))
    db.session.commit()
    releases.publish(fourth(), note="Without translations")
    db.session.commit()

    result = runner.invoke(args=["load-demo"])
    again = runner.invoke(args=["load-demo"])

    assert result.output.startswith("Demo data loaded.\n")
    assert again.output == "Demo data already present: nothing changed.\n"
    db.session.expire_all()
    assert not any(missing(obj, lang) for obj in demo_objects() for lang in TRANSLATED)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 10
    latest = db.session.scalars(select(Release).order_by(Release.number.desc())).first()
    assert latest.note == "Demo agenda in French and Spanish"
    assert latest.snapshot["sessions"][0]["translations"]["fr"]["title"]


def test_an_older_demo_with_unpublished_edits_is_not_published(runner):
    runner.invoke(args=["load-demo"])
    meeting = fourth()
    for obj in demo_objects():
        obj.translations = {}
    db.session.commit()
    releases.publish(meeting, note="Without translations")
    meeting.sessions[0].room = "Room B"  # an organiser's edit, not published yet
    db.session.commit()
    count = db.session.scalar(select(func.count()).select_from(Release))

    runner.invoke(args=["load-demo"])

    assert db.session.scalar(select(func.count()).select_from(Release)) == count
    assert translation(fourth().sessions[0], "title", "fr")


def test_an_organisers_own_version_stays(runner):
    runner.invoke(args=["load-demo"])
    meeting = fourth()
    meeting.translations = {"fr": {"title": "Ma version"}}
    db.session.commit()

    runner.invoke(args=["load-demo"])

    db.session.expire_all()
    assert translation(fourth(), "title", "fr") == "Ma version"
    assert translation(fourth(), "title", "es").startswith("Cuarta Reunión mundial")

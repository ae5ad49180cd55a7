"""Meeting materials: the meeting's documents, networks' information sheets and slides.

A Document is a slot (this meeting's report in French, say; NAWEG's slides for item 12
in English); its files are DocumentVersions, newest last. A slot may instead point to
an outside ``url`` (documents published elsewhere).
"""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    String,
    UniqueConstraint,
    false,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.languages import Translated

DOCUMENT_KINDS = (
    "report",
    "agenda",
    "press_release",
    "participants_list",
    "information_sheet",
    "slides",
    "other",
)
LANGUAGES = ("en", "fr", "es")
# Who may download a slot's files.
PUBLIC, PARTICIPANTS, ORGANISERS = "public", "participants", "organisers"
ACCESS_LEVELS = (PUBLIC, PARTICIPANTS, ORGANISERS)


class Document(Translated, db.Model):
    """A document of a meeting, as a link for now; stored files come with uploads."""

    translated_fields = ("title",)

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('" + "', '".join(DOCUMENT_KINDS) + "')",
            name="kind_known",
        ),
        CheckConstraint("language IN ('" + "', '".join(LANGUAGES) + "')", name="language_known"),
        CheckConstraint(
            "access IN ('" + "', '".join(ACCESS_LEVELS) + "')",
            name="access_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    # Set for a network's information sheet.
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    # Set for a presentation's slides; deleting the presentation keeps the file.
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(2), default="en")
    url: Mapped[str] = mapped_column(String(1000), default="")
    position: Mapped[int] = mapped_column(default=0)
    access: Mapped[str] = mapped_column(String(20), default=PUBLIC)
    # Slides only: hidden from everyone but organisers and the presenters until the
    # session starts.
    embargoed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped["Meeting"] = relationship(back_populates="documents")  # noqa: F821
    network: Mapped["Network | None"] = relationship()  # noqa: F821
    agenda_item: Mapped["AgendaItem | None"] = relationship()  # noqa: F821
    versions: Mapped[list["DocumentVersion"]] = relationship(
        back_populates="document",
        order_by="DocumentVersion.number",
        cascade="all, delete-orphan",
    )

    @property
    def current(self):
        """The version the stable URL serves: the newest."""
        return self.versions[-1] if self.versions else None


class DocumentVersion(db.Model):
    """One uploaded file of a slot. Versions are never changed; a restore adds a new one
    that names the same stored file."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    # The generated name in the upload folder; never derived from what the user sent.
    stored_name: Mapped[str] = mapped_column(String(80), index=True)
    # Shown and offered as the download name, after sanitising.
    original_name: Mapped[str] = mapped_column(String(255))
    mimetype: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Whether an account sent it: with no uploader left, the account was removed since;
    # never recorded (the demo's files, seeded), the sender is simply not known.
    uploader_recorded: Mapped[bool] = mapped_column(default=False, server_default=false())
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_late: Mapped[bool] = mapped_column(default=False)
    # The version number this one restored, if it is a restore.
    restored_from: Mapped[int | None]

    document: Mapped[Document] = relationship(back_populates="versions")
    uploaded_by: Mapped["User | None"] = relationship()  # noqa: F821


# The current version's number, read with the slot itself (no query per slot): pages that
# only link to the stable URL need nothing more.
Document.current_number = column_property(
    select(func.max(DocumentVersion.number))
    .where(DocumentVersion.document_id == Document.id)
    .correlate_except(DocumentVersion)
    .scalar_subquery()
)

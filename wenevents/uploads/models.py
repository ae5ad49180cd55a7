"""Meeting documents: the report, agenda, press release and networks' information sheets."""

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wenevents.extensions import db

DOCUMENT_KINDS = ("report", "agenda", "press_release", "information_sheet", "slides", "other")
LANGUAGES = ("en", "fr", "es")


class Document(db.Model):
    """A document of a meeting, as a link for now; stored files come with uploads."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('" + "', '".join(DOCUMENT_KINDS) + "')",
            name="kind_known",
        ),
        CheckConstraint("language IN ('" + "', '".join(LANGUAGES) + "')", name="language_known"),
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

    meeting: Mapped["Meeting"] = relationship(back_populates="documents")  # noqa: F821
    network: Mapped["Network | None"] = relationship()  # noqa: F821

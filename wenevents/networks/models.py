"""Wildlife enforcement networks and their focal points."""

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wenevents.extensions import db
from wenevents.languages import Translated

focal_point_networks = Table(
    "focal_point_networks",
    db.metadata,
    Column("focal_point_id", ForeignKey("focal_points.id", ondelete="CASCADE"), primary_key=True),
    Column("network_id", ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True),
)

# Who may see a focal point's field, widest first: everyone, signed-in people, organisers.
PUBLIC, PARTICIPANTS, ORGANISERS = "public", "participants", "organisers"
VISIBILITIES = (PUBLIC, PARTICIPANTS, ORGANISERS)
# Fields with a visibility of their own. The name's says who sees the focal point at all.
CONTACT_FIELDS = ("name", "title", "agency", "country_code", "email", "phone")
# Whatever is set, these are never public: the database refuses it too.
NEVER_PUBLIC = ("email", "phone")


def _in(values):
    return "('" + "', '".join(values) + "')"


class Network(Translated, db.Model):
    __tablename__ = "networks"
    translated_fields = ("name", "description")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    acronym: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    region: Mapped[str] = mapped_column(String(100), default="")
    member_countries: Mapped[str] = mapped_column(default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(default="")
    # Archived networks stay in past meetings but are not offered for new ones.
    is_archived: Mapped[bool] = mapped_column(default=False)

    focal_points: Mapped[list["FocalPoint"]] = relationship(
        secondary=focal_point_networks, back_populates="networks", order_by="FocalPoint.name"
    )

    def __repr__(self):
        return f"<Network {self.acronym}>"


class FocalPoint(db.Model):
    """A contact person for one or more networks. Personal data: each field is shown only to
    the audience its ``<field>_visibility`` allows (see networks/contacts.py)."""

    __tablename__ = "focal_points"
    __table_args__ = (
        *(
            CheckConstraint(f"{f}_visibility IN {_in(VISIBILITIES)}", name=f"{f}_visibility_known")
            for f in CONTACT_FIELDS
            if f not in NEVER_PUBLIC
        ),
        *(
            CheckConstraint(
                f"{f}_visibility IN {_in((PARTICIPANTS, ORGANISERS))}", name=f"{f}_not_public"
            )
            for f in NEVER_PUBLIC
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    agency: Mapped[str] = mapped_column(String(300), default="")
    # Stored lower-case; an import recognises a focal point it already has by this address.
    email: Mapped[str] = mapped_column(String(320), default="", index=True)
    phone: Mapped[str] = mapped_column(String(50), default="")
    country_code: Mapped[str] = mapped_column(String(2), default="")

    name_visibility: Mapped[str] = mapped_column(String(20), default=PARTICIPANTS)
    title_visibility: Mapped[str] = mapped_column(String(20), default=PARTICIPANTS)
    agency_visibility: Mapped[str] = mapped_column(String(20), default=PARTICIPANTS)
    country_code_visibility: Mapped[str] = mapped_column(String(20), default=PARTICIPANTS)
    email_visibility: Mapped[str] = mapped_column(String(20), default=PARTICIPANTS)
    phone_visibility: Mapped[str] = mapped_column(String(20), default=ORGANISERS)

    networks: Mapped[list[Network]] = relationship(
        secondary=focal_point_networks, back_populates="focal_points", order_by="Network.acronym"
    )

    def visibility(self, field):
        return getattr(self, f"{field}_visibility")

    def __repr__(self):
        return f"<FocalPoint {self.id}>"

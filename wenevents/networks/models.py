"""Wildlife enforcement networks and their focal points."""

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wenevents.extensions import db

focal_point_networks = Table(
    "focal_point_networks",
    db.metadata,
    Column("focal_point_id", ForeignKey("focal_points.id", ondelete="CASCADE"), primary_key=True),
    Column("network_id", ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True),
)


class Network(db.Model):
    __tablename__ = "networks"

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
    """A contact person for one or more networks. Personal data: never shown to the public."""

    __tablename__ = "focal_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    agency: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    country_code: Mapped[str] = mapped_column(String(2), default="")

    networks: Mapped[list[Network]] = relationship(
        secondary=focal_point_networks, back_populates="focal_points"
    )

"""Users, their server-side login sessions, and single-use tokens sent by email."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wenevents.clock import utcnow
from wenevents.extensions import db

ORGANISER, FOCAL_POINT, DELEGATE = "organiser", "focal_point", "delegate"
ROLES = (ORGANISER, FOCAL_POINT, DELEGATE)
INVITE, RESET = "invite", "reset"


user_networks = Table(
    "user_networks",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("network_id", ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):
    """A person who signs in. Focal points act for the networks in ``networks``."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('" + "', '".join(ROLES) + "')", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default=DELEGATE)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    # The language chosen with the site's switch; None until a choice is made.
    language: Mapped[str | None] = mapped_column(String(2))
    is_disabled: Mapped[bool] = mapped_column(default=False)
    # Mail when a published agenda change concerns them (wenevents/mymeeting/notices.py).
    change_notices: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    networks: Mapped[list["Network"]] = relationship(  # noqa: F821
        secondary=user_networks, order_by="Network.acronym"
    )

    # Flask-Login's interface. The id it keeps in the cookie is the login session's token,
    # not the user's id, so that the server can end one session without the others.
    session_token = None
    is_anonymous = False

    @property
    def is_authenticated(self):
        return True

    @property
    def is_active(self):
        return not self.is_disabled

    def get_id(self):
        return self.session_token

    @property
    def is_organiser(self):
        return self.role == ORGANISER

    @property
    def display_name(self):
        return self.name or self.email

    def __repr__(self):
        return f"<User {self.email}>"


class LoginSession(db.Model):
    """One sign-in. Ending it (logout, password change, disabling) signs that cookie out."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Only a hash is stored: a copy of the database does not let anyone sign in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ip: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()


class Token(db.Model):
    """A single-use, expiring link sent by email: an invitation or a password reset."""

    __tablename__ = "tokens"
    __table_args__ = (CheckConstraint(f"purpose IN ('{INVITE}', '{RESET}')", name="purpose_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # What an invitation grants: a role and, for focal points, network ids.
    role: Mapped[str | None] = mapped_column(String(20))
    network_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def is_usable(self):
        return self.used_at is None and self.expires_at > utcnow()

"""What /api/v1/ answers, as pydantic models: the views build them, and the OpenAPI
description (openapi.py) is written from the same classes, so the two cannot drift apart.

Public data only: what the site's public pages show, with the agenda as released.
"""

from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# {"fr": {"title": "…"}, "es": {…}}: the French and Spanish versions of text fields, where
# organisers wrote them; the fields themselves hold the English original.
Translations = dict[str, dict[str, str]]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Error(Model):
    """Any 4xx answer."""

    status: int = Field(examples=[404])
    error: str = Field(examples=["No such meeting."])


class Pagination(Model):
    page: int = Field(ge=1, description="This page's number, from 1.")
    per_page: int = Field(ge=1, le=100)
    total: int = Field(ge=0, description="How many there are on all pages.")
    pages: int = Field(ge=0)


class Links(Model):
    """Where to read more: the page for people, and this resource's neighbours."""

    html: str | None = Field(None, description="The public page showing it.")
    api: str | None = Field(None, description="Its own address in this API.")


class Index(Model):
    """What the API offers."""

    version: Literal["1"] = "1"
    openapi: str
    series: str
    meetings: str
    networks: str


class SeriesSummary(Model):
    slug: str
    name: str
    description: str
    translations: Translations
    links: Links


class MeetingSummary(Model):
    acronym: str = Field(examples=["gmwen4"])
    series: str = Field(description="The series' slug.")
    number: int = Field(description="Which edition of its series.")
    title: str
    start_date: date
    end_date: date
    timezone: str = Field(examples=["America/Panama"], description="IANA time zone.")
    venue: str
    city: str
    country_code: str = Field(description="ISO 3166-1 alpha-2, or empty.")
    held_alongside: str
    translations: Translations
    release: int | None = Field(
        description="The number of the agenda's latest release; null before the first."
    )
    links: Links


class Series(SeriesSummary):
    meetings: list[MeetingSummary] = Field(description="Its published editions, latest first.")


class SeriesList(Model):
    items: list[SeriesSummary]
    pagination: Pagination


class MeetingList(Model):
    items: list[MeetingSummary]
    pagination: Pagination


class Meeting(MeetingSummary):
    convener: str
    partners: str
    funding: str
    description: str
    networks: list[str] = Field(description="The slugs of the networks taking part.")


class NetworkRef(Model):
    slug: str
    acronym: str
    name: str


class Item(Model):
    """A session's item as released: times are wall-clock times in the meeting's zone."""

    uid: str = Field(description="Stable across releases (the calendars' UID).")
    kind: Literal["presentation", "discussion", "break"]
    title: str
    presenters: str
    starts_at: time
    ends_at: time
    start: datetime = Field(description="The start, with the meeting's UTC offset.")
    end: datetime
    network: NetworkRef | None
    sequence: int = Field(description="Raised each time a release changed it.")
    translations: Translations


class Session(Model):
    """A session as released. A closed session carries its number, time and room only."""

    uid: str
    ref: str = Field(description="Its stable address under the meeting.")
    number: int
    title: str
    description: str
    objectives: str
    chairs: list[str]
    room: str
    day: date
    starts_at: time
    ends_at: time
    start: datetime
    end: datetime
    is_public: bool
    sequence: int
    modified: datetime
    translations: Translations
    items: list[Item]
    links: Links


class SessionList(Model):
    release: int = Field(description="The release these sessions come from.")
    published_at: datetime
    items: list[Session]
    pagination: Pagination


class FileVersion(Model):
    """A document in one language: its current file, or a link elsewhere."""

    language: str = Field(examples=["en"])
    url: str
    mimetype: str | None
    size: int | None = Field(description="Bytes; null for a link.")
    sha256: str | None


class Document(Model):
    kind: str = Field(examples=["slides", "information_sheet", "report"])
    title: str
    network: str | None = Field(description="The network's slug, for a network's file.")
    session: str | None = Field(description="The session's ref, for a presentation's slides.")
    item: str | None = Field(description="The item's uid, for a presentation's slides.")
    versions: list[FileVersion] = Field(description="One per language.")


class DocumentList(Model):
    items: list[Document]


class NetworkSummary(Model):
    slug: str
    acronym: str
    name: str
    region: str
    website: str
    is_archived: bool
    translations: Translations
    links: Links


class Network(NetworkSummary):
    description: str
    member_countries: str
    meetings: list[str] = Field(description="The published meetings it took part in.")


class NetworkList(Model):
    items: list[NetworkSummary]
    pagination: Pagination

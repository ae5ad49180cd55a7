"""Who may upload, and who may delete an earlier version: each rule once, here.

``may_upload`` is the rule; everything that asks whether someone may upload (the upload
page, the meeting page's link to it, the versions page, downloads before release) asks it.
A ``Viewer`` is what it needs to know about the person looking, read once per request.
"""

from dataclasses import dataclass

from sqlalchemy import select

from wenevents.accounts.models import FOCAL_POINT, User
from wenevents.extensions import db
from wenevents.registration import rules as registration_rules
from wenevents.registration.models import APPROVED, ENDORSED, Registration
from wenevents.uploads.targets import SHEET, SLIDES, target_of, targets_of

# A delegate uploads for the network of a registration someone has vouched for.
VOUCHED = (ENDORSED, APPROVED)


@dataclass
class Viewer:
    """What the person looking is, for one meeting, worked out once per request."""

    user: User | None = None
    organiser: bool = False
    networks: frozenset = frozenset()  # the networks they act for as a focal point
    delegate_network: int | None = None  # their vouched-for registration's network
    participant: bool = False  # of this meeting, by registration/rules.py

    @property
    def signed_in(self):
        return self.user is not None


def viewer_for(user, meeting):
    """The Viewer for ``user`` (anonymous: an empty one) in ``meeting``."""
    if user is None or not user.is_authenticated:
        return Viewer()
    if user.is_organiser:
        return Viewer(user=user, organiser=True, participant=True)
    networks = frozenset(n.id for n in user.networks) if user.role == FOCAL_POINT else frozenset()
    registration = db.session.execute(
        select(Registration.network_id, Registration.status).where(
            Registration.meeting_id == meeting.id, Registration.user_id == user.id
        )
    ).first()
    vouched = registration is not None and registration.status in VOUCHED
    return Viewer(
        user=user,
        networks=networks,
        delegate_network=registration.network_id if vouched else None,
        participant=registration_rules.is_participant(user, meeting),
    )


def may_upload(viewer, target):
    """Organisers: everything. Slides: the presenting network's focal points and vouched
    delegates. An information sheet: the network's focal points. Meeting documents: no one
    else."""
    if viewer.organiser:
        return True
    if target.kind == SLIDES:
        network_id = target.network.id if target.network else None
        return network_id is not None and (
            network_id in viewer.networks or network_id == viewer.delegate_network
        )
    if target.kind == SHEET:
        return target.network.id in viewer.networks
    return False


def may_upload_in(user, meeting):
    """Whether ``user`` may upload anything for ``meeting`` (``may_upload`` to one of its
    targets): what the meeting page links to the upload page for."""
    if user is None or not user.is_authenticated:
        return False
    viewer = viewer_for(user, meeting)
    return any(may_upload(viewer, target) for target in targets_of(meeting))


def may_prune(viewer, document, version):
    """Organisers delete any earlier version; an uploader, the earlier versions they sent
    themselves to a slot they may still upload to. The current version never goes."""
    if document.current is None or version is document.current:
        return False
    if viewer.organiser:
        return True
    return (
        viewer.user is not None
        and version.uploaded_by_id == viewer.user.id
        and may_upload(viewer, target_of(document))
    )

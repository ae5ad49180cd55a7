"""Where a lower domain asks the higher ones (blinker signals, as Flask's own).

The layers run one way (see docs/architecture.md): a domain imports only the base layer
and the domains below it. When a lower domain needs an answer that depends on a higher
one, it sends a signal defined here, and each higher domain connects a receiver when the
app starts (in its ``init_app``). The sender reads the receivers' answers and never
imports them.

Every receiver takes the sender as its first argument and keyword arguments only.
Receivers run in the order they were connected, which is the order of the layers (the
lowest domain's first): a receiver may rely on what a lower domain's receiver did.
"""

from dataclasses import dataclass

from blinker import NamedSignal, Namespace
from flask import url_for

from wenevents import languages


class _OrderedSet(dict):
    """A set that keeps insertion order (blinker's own ``set`` calls receivers in any
    order); only what blinker uses of a set."""

    def __init__(self, items=()):
        super().__init__(dict.fromkeys(items))

    def add(self, item):
        self[item] = None

    def discard(self, item):
        self.pop(item, None)

    def copy(self):
        return _OrderedSet(self)

    def __or__(self, other):
        return _OrderedSet([*self, *other])


class _OrderedSignal(NamedSignal):
    set_class = _OrderedSet


class _OrderedNamespace(Namespace):
    def signal(self, name, doc=None):
        if name not in self:
            self[name] = _OrderedSignal(name, doc)
        return self[name]


_signals = _OrderedNamespace()

#: A request was refused with 403 (base layer → audit): ``what``, ``target``.
access_denied = _signals.signal("access-denied")

#: A meeting is being copied into a new edition (meetings → higher domains). Sender: the
#: source meeting; ``copy``: the new meeting (flushed); ``shift``: the timedelta between
#: their start dates; ``parts``: what the organiser chose to copy (``copy_sessions``,
#: ``copy_documents``, ``copy_registration``: booleans); ``copied``: a dict the receivers
#: share, where one leaves what a higher one needs (the agenda: ``agenda_items``, old
#: item id → new item, for the documents attached to items). Each receiver copies its own
#: rows and returns its counts for the summary (meetings/cloning.py ``Summary``).
meeting_cloned = _signals.signal("meeting-cloned")

#: Why a meeting may not be deleted (meetings → higher domains). Sender: the meeting.
#: Each receiver returns a list of reasons, empty when its domain does not mind.
meeting_delete_blockers = _signals.signal("meeting-delete-blockers")

#: Why a network may not be deleted (networks → higher domains). Sender: the network.
#: Each receiver returns a list of reasons.
network_delete_blockers = _signals.signal("network-delete-blockers")

#: What a network did in past meetings (networks → higher domains). Sender: the network.
#: Each receiver returns ``{part: value}``: meetings ``meetings`` (the published meetings
#: it took part in, newest first); the agenda ``presentations`` and uploads ``sheets``,
#: each a mapping ``{meeting_id: [what, …]}``.
network_history = _signals.signal("network-history")


def answers(signal, sender, **kwargs):
    """The receivers' return values, in the order they were connected."""
    return [value for _receiver, value in signal.send(sender, **kwargs)]


#: Whether a user counts as a participant of any meeting (networks → registration, which
#: owns the one rule: registration/rules.py). Sender: the user. The receiver returns a bool.
participant_asked = _signals.signal("participant-asked")

#: Someone signed in but not a participant asked for a page that is for participants
#: (networks → registration). Sender: the page's word for the note (``"directory"``);
#: ``title``: the page's title. The receiver returns the 403 response saying when it opens
#: to them and where their registrations stand.
participant_refused = _signals.signal("participant-refused")

#: What a meeting's public page shows of the higher domains (meetings → agenda, uploads).
#: Sender: the published meeting; ``user``: the person looking (maybe anonymous). Each
#: receiver returns a dict of template values (the agenda: ``sessions``, ``released``;
#: uploads: ``may_upload``).
meeting_page = _signals.signal("meeting-page")

#: Networks for accounts (accounts → networks): the choices for a focal point's networks.
#: Sender: None; ``ids``: the networks wanted by id (any, archived too), or None for every
#: active one. The receiver returns a list of networks, by acronym.
account_networks = _signals.signal("account-networks")

#: What mail and pages name the site by (accounts → meetings). Sender: None. The receiver
#: returns the name of the (first) meeting series, or None when there is none yet.
site_name = _signals.signal("site-name")


#: What the site holds about a person, for the copy they download from *My account*
#: (accounts → registration, uploads). Sender: the user. Each receiver returns a dict of
#: sections (registration: ``registrations``; uploads: ``uploads``), each a list of plain
#: values JSON can write (dates as ISO strings). Only that person's data: never another
#: person's address, name or words, never a secret (token, hash).
personal_data = _signals.signal("personal-data")

#: Why a person may not close their account yet (accounts → registration). Sender: the
#: user. Each receiver returns a list of reasons, empty when its domain does not mind.
account_close_blockers = _signals.signal("account-close-blockers")

#: A person is closing their account (accounts → registration, uploads), in the same
#: transaction, before the account row goes. Sender: the user. Each receiver removes or
#: keeps anonymously what its domain holds about them, and returns ``{what: count}`` for
#: the audit entry (registration: ``registrations``, ``files``, ``mails``).
account_closing = _signals.signal("account-closing")


def first_answer(signal, sender, default=None, **kwargs):
    """The first receiver's answer that is not None, else ``default``: for a question
    that one higher domain answers."""
    return next((a for a in answers(signal, sender, **kwargs) if a is not None), default)


#: How many uploaded files hang on agenda items (agenda → uploads), asked before the items
#: are deleted (the files are kept, unlinked; the confirmation says how many). Sender: the
#: meeting; ``item_ids``: the items' ids. Each receiver returns a count.
agenda_item_files = _signals.signal("agenda-item-files")


#: Which network ``user`` may upload slides for as its vouched-for delegate in a meeting
#: (registration → uploads: a delegate's registration page says whether they may upload
#: now). Sender: the meeting; ``user``: the account. Each receiver returns the network's
#: id, or None.
delegate_upload_network = _signals.signal("delegate-upload-network")


#: What of some meetings' content is not yet in every language it is translated into
#: (``languages.TRANSLATED``), for the organisers' translations page and the count on each
#: meeting's card (meetings → agenda, registration, uploads; the meetings domain answers for
#: the meetings themselves, their series and their networks). Sender: None; ``meetings``:
#: the meetings asked about. Each receiver returns a list of ``Untranslated``, in the order
#: its pages show them, read in the same few queries however many there are.
untranslated_content = _signals.signal("untranslated-content")


@dataclass(frozen=True)
class Untranslated:
    """One piece of a meeting's content with English text and no version in a language.

    ``kind``: what it is, the word the page groups by (``series``, ``meeting``, ``network``,
    ``session``, ``item``, ``question``, ``document``); ``what``: its English text as
    organisers know it (a title, a name, a question); ``note``: what tells it apart, in
    the reader's language ("Session 3"), or ""; ``missing``: ``{language: (field, …)}``,
    only the languages it lacks; ``endpoint`` and ``values``: the page where an organiser
    translates it (``url``), built only where a page links to it: the meetings list counts
    every entry of every meeting and links to none.
    """

    meeting_id: int
    kind: str
    what: str
    note: str
    missing: dict
    endpoint: str
    values: dict

    @property
    def url(self):
        return url_for(self.endpoint, **self.values)

    @staticmethod
    def missing_in(obj, fields=None):
        """``{language: (field, …)}`` of ``obj``'s fields (``fields``, for a row) with no
        version in each translated language; empty when it is all translated."""
        found = {code: tuple(languages.missing(obj, code, fields)) for code in languages.TRANSLATED}
        return {code: fields for code, fields in found.items() if fields}


#: A release was published, in the publishing transaction, after its flush (agenda →
#: higher domains). Sender: the release; ``previous``: the release before (None for the
#: first); ``notify``: False when the organiser held the change notices for it. Each
#: receiver does its part (My meeting queues the notices) and returns nothing.
release_published = _signals.signal("release-published")

#: Who would be told of a release's changes, for the publish panel (agenda → My
#: meeting). Sender: the meeting; ``changes``: the pending changes; ``before``, ``after``:
#: the latest release's snapshot (None if none) and the draft's. The receiver returns
#: ``(people, {role: count})``, each person counted once.
release_audience = _signals.signal("release-audience")

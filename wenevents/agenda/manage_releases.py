"""Organisers: publishing the draft agenda as the next release. On the editor's blueprint
(manage.py); the changelog the public reads is in views.py."""

from flask import g, request
from flask_babel import gettext as _
from flask_babel import ngettext

from wenevents.agenda import releases
from wenevents.agenda.forms import PublishForm
from wenevents.agenda.manage import bp, editor_page, editor_url
from wenevents.extensions import db
from wenevents.htmx import finish
from wenevents.text import bounded_int
from wenevents.web import acting_user


@bp.post("/publish")
def publish():
    """Make the next release from the draft; the public sees it at once. The page's
    ``seen`` release: one published since is reported, not published over."""
    form = PublishForm()
    if not form.validate_on_submit():
        return editor_page(422, None)
    seen = request.form.get("seen", type=bounded_int)
    note = form.note.data or ""
    try:
        notify = form.notify.data if request.form.get("notices_asked") else True
        release = releases.publish(g.meeting, by=acting_user(), note=note, seen=seen, notify=notify)
    except releases.PublishedMeanwhile as other:
        return finish(_published_meanwhile(other), editor_url(), category="error")
    db.session.commit()
    if release is None:
        return finish(
            _("Nothing has changed since the last release."), editor_url(), category="info"
        )
    return finish(_("Release %(number)s is published.", number=release.number), editor_url())


def _published_meanwhile(other):
    made = ngettext(
        "Release %(number)s, with %(num)d change, was published a moment ago",
        "Release %(number)s, with %(num)d changes, was published a moment ago",
        other.changes,
        number=other.number,
    )
    if other.by:
        made = ngettext(
            "Release %(number)s, with %(num)d change, was published a moment ago by %(name)s",
            "Release %(number)s, with %(num)d changes, was published a moment ago by %(name)s",
            other.changes,
            number=other.number,
            name=other.by,
        )
    return _(
        "%(made)s, while you had this page open: yours was not published. Its changes are "
        "in the changelog; below, the draft is now compared with it. Publish again if "
        "there is still something to publish.",
        made=made,
    )

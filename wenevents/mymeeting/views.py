"""*My meeting*: a signed-in person's page of a meeting, following in place, and their
private calendar feed.

The page is personal: never stored by the page cache or a shared cache (it is for a
signed-in person: web.py's caching makes it private). The feed is reached by its secret
address alone, as calendar programs fetch it without signing in.
"""

from flask import Blueprint, Response, abort, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wenevents.extensions import db, limiter
from wenevents.htmx import finish, render
from wenevents.meetings.services import published_meeting
from wenevents.mymeeting import services
from wenevents.mymeeting.forms import ButtonForm, FollowForm
from wenevents.urls import public_url

bp = Blueprint("mymeeting", __name__)
TEMPLATE = "mymeeting/page.html"


def _meeting(acronym):
    return published_meeting(acronym) or abort(404)


def _page(meeting, status=200, block=None, target=None, **context):
    mine = services.my_meeting(meeting, current_user)
    return render(
        TEMPLATE,
        block=block,
        target=target,
        mine=mine,
        meeting=meeting,
        button=ButtonForm(formdata=None),
        **context,
    ), status


@bp.get("/<acronym:acronym>/my-meeting")
@login_required
def page(acronym):
    """One's registration, part in the agenda, follows, materials due and documents."""
    return _page(_meeting(acronym))


@bp.post("/<acronym:acronym>/my-meeting/follow")
@login_required
def follow(acronym):
    """Follow or stop following a released session or a network of the meeting."""
    meeting = _meeting(acronym)
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    kind, key = form.kind.data, form.key.data
    try:
        if form.on.data == "yes":
            services.follow(current_user, meeting, kind, key)
        else:
            services.unfollow(current_user, meeting, kind, key)
    except services.NotFollowable:
        abort(404)
    db.session.commit()
    message = _("You follow it now.") if form.on.data == "yes" else _("You no longer follow it.")
    return finish(
        message,
        url_for(".page", acronym=acronym, _anchor="following"),
        lambda: _page(meeting, block="following", target="following", said=message),
    )


@bp.post("/<acronym:acronym>/my-meeting/feed")
@login_required
def new_feed(acronym):
    """A new private calendar address (the old one stops working), shown this once."""
    meeting = _meeting(acronym)
    if not ButtonForm().validate_on_submit():
        abort(400)
    token = services.new_feed(current_user, meeting)
    db.session.commit()
    # Shown in the answer, never stored in clear nor put in a URL of this site's pages.
    return _page(
        meeting,
        block="feed",
        target="feed",
        feed_url=public_url("mymeeting.feed", token=token),
    )


@bp.post("/<acronym:acronym>/my-meeting/feed/end")
@login_required
def end_feed(acronym):
    """Stop the private calendar address working."""
    meeting = _meeting(acronym)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.end_feed(current_user, meeting)
    db.session.commit()
    message = _("Your calendar address no longer works.")
    return finish(
        message,
        url_for(".page", acronym=acronym, _anchor="feed"),
        lambda: _page(meeting, block="feed", target="feed", said=message),
    )


@bp.get("/feeds/<token>.ics")
@limiter.limit("120 per minute")
def feed(token):
    """A person's private calendar for one meeting, by its secret address."""
    calendar = services.feed_calendar(token)
    if calendar is None:
        abort(404)
    db.session.commit()  # when it was last used
    response = Response(calendar, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-cache"
    # The address is the secret: it must not travel on in a Referer.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response

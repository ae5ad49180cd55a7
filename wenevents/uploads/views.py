"""Materials: the page listing them, uploads, stable downloads, versions and ZIPs.

URLs (``<a>`` is a meeting's acronym):
  /<a>/materials                         what the viewer may download
  /<a>/materials/upload                  the targets the viewer may upload to (GET)
  /<a>/materials/upload/<ref>            files for one target (POST; slides-12, sheet-5, report…)
  /<a>/materials/<id>/<name>             a slot's current file (a stable URL)
  /<a>/materials/<id>/versions           its versions (uploaders and organisers)
  /<a>/materials/<id>/versions/<n>/<name>  one version's file
  /<a>/materials.zip, /<a>/materials/sessions/<n>.zip, /<a>/materials/networks/<slug>.zip
"""

from datetime import UTC
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wenevents import web
from wenevents.accounts.models import utcnow
from wenevents.accounts.permissions import deny
from wenevents.htmx import is_htmx, render
from wenevents.uploads import services, zips
from wenevents.uploads.downloads import file_response
from wenevents.uploads.filetypes import PDF, megabytes
from wenevents.uploads.forms import AccessForm, ActionForm, UploadForm
from wenevents.uploads.streaming import StorageFull, receives_files

bp = Blueprint("uploads", __name__)


def _meeting(acronym):
    """The meeting with its materials; unpublished ones for organisers only."""
    organiser = current_user.is_authenticated and current_user.is_organiser
    return services.meeting_with_materials(acronym, published_only=not organiser) or abort(404)


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.get("/<acronym:acronym>/materials")
def materials(acronym):
    """Meeting documents, information sheets and slides by session: what the viewer may
    download, with ZIPs of them."""
    meeting = _meeting(acronym)
    page = services.materials_page(meeting, _user())
    return render("uploads/materials.html", meeting=meeting, page=page)


def _upload_form(**kwargs):
    config = current_app.config
    form = UploadForm(**kwargs)
    return form.setup(config["UPLOAD_MAX_FILES"], megabytes(config["UPLOAD_MAX_BYTES"]))


@bp.get("/<acronym:acronym>/materials/upload")
@login_required
def upload_page(acronym):
    """Every target the person may upload to, each with its files and a drop zone."""
    meeting = _meeting(acronym)
    viewer = services.viewer_for(_user(), meeting)
    entries = services.upload_targets(meeting, viewer)
    return render(
        "uploads/upload.html",
        meeting=meeting,
        viewer=viewer,
        entries=entries,
        form=_upload_form(),
        max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
    )


def _upload_target(acronym, ref):
    """The target of an upload, or 401/403/404: runs before a byte of a file is written."""
    if "upload_target" in g:
        return g.upload_target
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    meeting = _meeting(acronym)
    target = services.find_target(meeting, ref) or abort(404)
    if not services.may_upload(services.viewer_for(_user(), meeting), target):
        deny(f"upload materials {ref} of {acronym}", target=meeting)
    g.upload_target = target
    return target


@bp.post("/<acronym:acronym>/materials/upload/<ref>")
@receives_files(_upload_target)
@login_required
def upload(acronym, ref):
    """Store each file sent as the newest version of its slot; say what became of each.

    htmx (and uploads.js): the target's block again; otherwise back to the page (303),
    or the page with the messages (422) when nothing was stored.
    """
    target = _upload_target(acronym, ref)
    form = _upload_form()
    outcomes = []
    if form.validate_on_submit():
        for upload in form.files.data:
            if upload.filename and hasattr(upload.stream, "keep"):
                outcome = services.add_file(target, form.language.data, upload.stream, _user())
                outcomes.append(outcome)
    ok = any(o.ok for o in outcomes)
    status = 200 if ok else 422
    refused = [f"{o.name}: {o.message}" for o in outcomes if not o.ok]
    if refused:
        form.files.errors = [*form.files.errors, *refused]
    if is_htmx():
        html = render(
            "uploads/upload.html",
            block="target",
            target=f"target-{target.ref}",
            entry=services.entry_for(target),
            form=form,
            outcomes=outcomes,
            meeting=target.meeting,
            max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
        )
        return html, status
    if ok and all(o.ok for o in outcomes):
        for outcome in outcomes:
            flash(f"{outcome.name}: {outcome.message}", "success")
        return redirect(url_for(".upload_page", acronym=acronym) + f"#target-{target.ref}", 303)
    meeting = _meeting(acronym)
    viewer = services.viewer_for(_user(), meeting)
    html = render(
        "uploads/upload.html",
        meeting=meeting,
        viewer=viewer,
        entries=services.upload_targets(meeting, viewer),
        form=_upload_form(),
        failed_form=form,
        failed_ref=target.ref,
        outcomes=outcomes,
        max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
    )
    return html, status


def _visible_document(acronym, document_id):
    meeting = _meeting(acronym)
    document = services.document_of(meeting, document_id) or abort(404)
    viewer = services.viewer_for(_user(), meeting)
    if not services.may_see(viewer, document, services.released_items(meeting)):
        # Anonymous people are asked to sign in; the signed-in are told no (and logged).
        if not current_user.is_authenticated:
            abort(current_app.login_manager.unauthorized())
        deny(f"download materials {document_id} of {acronym}", target=document)
    return document


def _send(version):
    path = services.file_path(version) or abort(404)
    # A PDF may open in the browser (sandboxed); every other kind downloads.
    return file_response(
        path, version.original_name, version.mimetype, inline=version.mimetype == PDF.mimetype
    )


@bp.get("/<acronym:acronym>/materials/<int:document_id>", defaults={"name": ""})
@bp.get("/<acronym:acronym>/materials/<int:document_id>/<path:name>")
def download(acronym, document_id, name):
    """The slot's current file: the stable URL always serves the newest version."""
    document = _visible_document(acronym, document_id)
    if document.current is None:
        if document.url:
            return redirect(document.url, 302)
        abort(404)
    return _send(document.current)


def _may_manage(meeting, document):
    viewer = services.viewer_for(_user(), meeting)
    return viewer.organiser or services.may_upload(viewer, services.target_of(document))


@bp.get("/<acronym:acronym>/materials/<int:document_id>/versions")
@login_required
def versions(acronym, document_id):
    """Every version of a slot, newest first, with who sent it, when and its size."""
    meeting = _meeting(acronym)
    document = services.document_of(meeting, document_id) or abort(404)
    if not _may_manage(meeting, document):
        deny(f"versions of materials {document_id} of {acronym}", target=document)
    return render(
        "uploads/document.html",
        meeting=meeting,
        document=document,
        what=services.target_of(document),
        access_form=AccessForm(obj=document),
        action_form=ActionForm(),
    )


@bp.get("/<acronym:acronym>/materials/<int:document_id>/versions/<int:number>/<path:name>")
@login_required
def version_file(acronym, document_id, number, name):
    """An earlier version's file, for the slot's uploaders and organisers."""
    meeting = _meeting(acronym)
    document = services.document_of(meeting, document_id) or abort(404)
    if not _may_manage(meeting, document):
        deny(f"version {number} of materials {document_id} of {acronym}", target=document)
    version = next((v for v in document.versions if v.number == number), None) or abort(404)
    return _send(version)


def _zip(meeting, page, filename, **scope):
    files = services.zip_files(page, **scope)
    if not files:
        abort(404)
    return zips.response(files, filename)


@bp.get("/<acronym:acronym>/materials.zip")
def zip_all(acronym):
    """Every file of the meeting the person may see, as one ZIP built as it is sent."""
    meeting = _meeting(acronym)
    page = services.materials_page(meeting, _user())
    return _zip(meeting, page, f"{meeting.acronym}-materials.zip")


@bp.get("/<acronym:acronym>/materials/sessions/<int:number>.zip")
def zip_session(acronym, number):
    """The slides of one session the person may see."""
    meeting = _meeting(acronym)
    page = services.materials_page(meeting, _user())
    return _zip(meeting, page, f"{meeting.acronym}-session-{number}.zip", session_number=number)


@bp.get("/<acronym:acronym>/materials/networks/<slug>.zip")
def zip_network(acronym, slug):
    """One network's information sheet and slides the person may see."""
    meeting = _meeting(acronym)
    network = next((n for n in meeting.networks if n.slug == slug), None) or abort(404)
    page = services.materials_page(meeting, _user())
    return _zip(meeting, page, f"{meeting.acronym}-{network.slug}.zip", network=network)


@bp.post("/<acronym:acronym>/materials/<int:document_id>/versions/<int:number>/restore")
@login_required
def restore(acronym, document_id, number):
    """Organisers make an earlier version current again (as a new version)."""
    meeting = _meeting(acronym)
    document = services.document_of(meeting, document_id) or abort(404)
    if not current_user.is_organiser:
        deny(f"restore version {number} of materials {document_id}", target=document)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    version = services.restore(document, number, _user()) or abort(404)
    flash(
        _("Version %(old)d is current again, as version %(new)d.", old=number, new=version.number),
        "success",
    )
    return redirect(url_for(".versions", acronym=acronym, document_id=document_id), 303)


@bp.post("/<acronym:acronym>/materials/<int:document_id>/access")
@login_required
def access(acronym, document_id):
    """Organisers set who may download a slot's files, and the slides' embargo."""
    meeting = _meeting(acronym)
    document = services.document_of(meeting, document_id) or abort(404)
    if not current_user.is_organiser:
        deny(f"access of materials {document_id}", target=document)
    form = AccessForm()
    if form.validate_on_submit():
        services.set_access(document, form.access.data, form.embargoed.data, _user())
        flash(_("Saved."), "success")
        return redirect(url_for(".versions", acronym=acronym, document_id=document_id), 303)
    html = render(
        "uploads/document.html",
        meeting=meeting,
        document=document,
        what=services.target_of(document),
        access_form=form,
        action_form=ActionForm(),
    )
    return html, 422


@bp.app_template_global()
def material_url(document, version=None):
    """The stable URL of a slot's file (or of one version's), with its name for reading."""
    if version is None:
        name = services.download_name(document)
        return url_for(
            "uploads.download", acronym=document.meeting.acronym, document_id=document.id, name=name
        )
    return url_for(
        "uploads.version_file",
        acronym=document.meeting.acronym,
        document_id=document.id,
        number=version.number,
        name=version.original_name,
    )


@bp.app_template_global()
def public_slides(item):
    """The slides of a presentation anyone may download, for the schedule's item lines:
    one query per page (cached for the request), whatever the number of items."""
    acronym = (request.view_args or {}).get("acronym")
    if not acronym or getattr(item, "kind", "") != "presentation":
        return []
    cache = g.setdefault("public_slides", {})
    if acronym not in cache:
        cache[acronym] = services.public_slides_by_uid(acronym)
    shown = []
    for slide in cache[acronym].get(item.uid, []):
        if slide.embargoed:
            starts = item.session.start(ZoneInfo(slide.timezone)).astimezone(UTC)
            if utcnow() < starts.replace(tzinfo=None):
                continue
        shown.append(slide)
    return shown


@bp.app_template_filter("filesize")
def filesize(value):
    return megabytes(value)


@bp.app_errorhandler(StorageFull)
def _storage_full(error):
    """507 in the site's layout (web.py knows the usual codes only)."""
    return web._error_page(error)

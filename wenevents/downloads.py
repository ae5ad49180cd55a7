"""Serving stored files: as attachments, sniff-proof, sandboxed, with the original name."""

from flask import current_app, send_file

# A file opened in the browser must not run anything or reach the site as the user.
SANDBOX = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def file_response(path, original_name, mimetype, inline=False, public=False):
    """The stored file at ``path`` under its original name (RFC 6266, non-ASCII kept).

    ``public``: anyone may download it, so browsers and shared caches keep it for
    PUBLIC_FILE_MAX_AGE seconds and then ask again with its ETag (a 304 costs nothing on a
    venue's Wi-Fi). Any other file is never stored: it may be personal.
    """
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=not inline,
        download_name=original_name,
        max_age=current_app.config["PUBLIC_FILE_MAX_AGE"] if public else 0,
    )
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["X-Content-Type-Options"] = "nosniff"
    if public:
        response.cache_control.public = True
    else:
        response.cache_control.private = True
        response.cache_control.no_store = True
    return response

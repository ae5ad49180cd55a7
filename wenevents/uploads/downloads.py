"""Serving stored files: as attachments, sniff-proof, sandboxed, with the original name."""

from flask import send_file

# A file opened in the browser must not run anything or reach the site as the user.
SANDBOX = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def file_response(path, original_name, mimetype, inline=False):
    """The stored file at ``path`` under its original name (RFC 6266, non-ASCII kept)."""
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=not inline,
        download_name=original_name,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response

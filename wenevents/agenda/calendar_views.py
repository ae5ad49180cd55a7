"""Calendar (ICS) and PDF downloads of the released agenda."""

from flask import Blueprint

bp = Blueprint("agenda_calendar", __name__)

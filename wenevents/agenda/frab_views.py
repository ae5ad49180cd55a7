"""frab-compatible schedule.xml and schedule.json, and importing an agenda from one."""

from flask import Blueprint

bp = Blueprint("agenda_frab", __name__)

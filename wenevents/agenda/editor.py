"""The organisers' agenda editor: sessions and items edited in place, and publishing."""

from flask import Blueprint

bp = Blueprint("agenda_editor", __name__)

"""What of a meeting's content is not yet in French or Spanish.

Each domain answers for its own content (``signals.untranslated_content``): the meetings
domain for the meeting, its series and its networks (receivers.py), the agenda for
sessions and items, registration for its questions, uploads for the meeting's documents.
The organisers' translations page lists the answers; each meeting's card counts them.
"""

from wenevents import languages, signals


def untranslated(meetings):
    """Every piece of these meetings' content missing a translation, as
    ``signals.Untranslated``, in the order of the layers (the meeting's own first)."""
    meetings = list(meetings)
    if not meetings:
        return []
    found = signals.answers(signals.untranslated_content, None, meetings=meetings)
    return [entry for entries in found for entry in entries]


def counts(meetings, entries=None):
    """``{meeting_id: {language: how many pieces have no version in it}}``, with a zero
    for every meeting and translated language."""
    meetings = list(meetings)
    result = {meeting.id: dict.fromkeys(languages.TRANSLATED, 0) for meeting in meetings}
    for entry in untranslated(meetings) if entries is None else entries:
        for language in entry.missing:
            result[entry.meeting_id][language] += 1
    return result


def chosen_language(value):
    """The language the page is narrowed to (``?language=fr``), or None for all of them."""
    return value if value in languages.TRANSLATED else None


def by_kind(entries, language=None):
    """``[(kind, [entry, …])]`` in the order the kinds first come; only the entries
    missing ``language`` when one is given."""
    groups = {}
    for entry in entries:
        if language is None or language in entry.missing:
            groups.setdefault(entry.kind, []).append(entry)
    return list(groups.items())

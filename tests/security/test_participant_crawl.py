"""The crawl of tests/security/test_unvouched_crawl.py as a delegate whose registration is
approved: a participant finds the focal points' contact details that participants may
see and the listed participants' names, and still nothing kept for organisers. In a file
of its own so that the two long crawls run on two workers (``--dist loadfile``).
"""

from tests.security.test_unvouched_crawl import crawl_as_registrant, planted  # noqa: F401
from wenevents.registration.models import APPROVED


def test_crawl_as_an_approved_participant_finds_what_participants_may_see(
    app,
    client,
    planted,  # noqa: F811
):
    crawl_as_registrant(app, client, planted, APPROVED, participant=True)

"""The door of the meeting: 300 badges to one PDF, and a check-in's server time with 300
approved registrations (issue 18's figures), measured in-process on SQLite."""

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, select

from wenevents import create_app, demo
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.registration import badges
from wenevents.registration.models import Registration

BADGES = 300
BADGES_GOAL_S = 10.0
CHECKIN_GOAL_MS = 100.0


def measure(cookie_for):
    """``{"badges_s", "checkin_p50_ms", "checkin_p95_ms"}``; ``cookie_for(app)``: a signed-in
    organiser's session cookie value."""
    with tempfile.TemporaryDirectory(prefix="wenevents-door-") as tmp:
        app = create_app(
            {
                "INSTANCE_PATH": str(Path(tmp) / "instance"),
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'door.sqlite'}",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            demo.load()
            meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
            # Held today, so its badges check in.
            meeting.start_date = meeting.end_date = date.today()
            networks = [n.id for n in meeting.networks]
            db.session.execute(
                insert(Registration),
                [
                    {
                        "meeting_id": meeting.id,
                        "email": f"door{n}@example.org",
                        "given_name": "Delegate",
                        "family_name": f"Number {n:03d} (fictional)",
                        "organisation": "Agency (fictional)",
                        "country_code": "PA",
                        "network_id": networks[n % len(networks)],
                        "participation_role": "network_delegate",
                        "arrival_date": meeting.start_date,
                        "departure_date": meeting.end_date,
                        "status": "approved",
                    }
                    for n in range(BADGES)
                ],
            )
            db.session.commit()
            cookie = cookie_for(app)
            with app.test_request_context():
                chosen = badges.chosen(meeting, badges.ALL)[:BADGES]
                started = time.perf_counter()
                badges.badges_pdf(meeting, chosen)
                badges_s = time.perf_counter() - started
                tokens = [badges.badge_token(r) for r in chosen]
        client = app.test_client()
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        timings = []
        for token in tokens[:100]:
            started = time.perf_counter()
            response = client.post("/gmwen4/check-in/badge", data={"token": token})
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 303, response.status_code
        timings.sort()
        return {
            "badges_s": badges_s,
            "checkin_p50_ms": statistics.median(timings),
            "checkin_p95_ms": timings[int(len(timings) * 0.95) - 1],
        }


def print_figures(figures):
    verdict = "met" if figures["badges_s"] < BADGES_GOAL_S else "NOT met"
    print(
        f"Goal: {BADGES} badges to one PDF under {BADGES_GOAL_S:.0f} s: {verdict} "
        f"({figures['badges_s']:.2f} s)"
    )
    verdict = "met" if figures["checkin_p95_ms"] < CHECKIN_GOAL_MS else "NOT met"
    print(
        f"Goal: a check-in by badge under {CHECKIN_GOAL_MS:.0f} ms server time with "
        f"{BADGES} registrations: {verdict} (p50 {figures['checkin_p50_ms']:.1f} ms, "
        f"p95 {figures['checkin_p95_ms']:.1f} ms, in-process)"
    )

"""The materials pages pass the Nu HTML checker, for the public, a focal point and an
organiser, with a refused upload's messages shown too."""

from sqlalchemy import select

from tests.test_html_validity import check
from tests.uploads import conftest as uploads
from tests.uploads.conftest import HTML, PDF, upload
from wenevents import demo as demo_data
from wenevents.accounts.models import FOCAL_POINT, ORGANISER
from wenevents.extensions import db
from wenevents.networks.models import Network
from wenevents.uploads.models import Document

app = uploads.app
client = uploads.client
make_user = uploads.make_user
auth = uploads.auth
new_auth = uploads.new_auth
app_config = uploads.app_config


def test_materials_pages_pass_nu_html_checker(app, client, auth, new_auth, make_user, tmp_path):
    demo_data.load()
    naweg = db.session.scalar(select(Network).where(Network.slug == "naweg"))
    make_user("org@example.org", ORGANISER)
    make_user("fp@example.org", FOCAL_POINT, networks=[naweg])
    sheet = db.session.scalar(select(Document).where(Document.network_id == naweg.id))
    pages = {"/gmwen4/materials (public)": client.get("/gmwen4/materials").data}
    pages["/gmwen4/ (public)"] = client.get("/gmwen4/").data

    auth.login("fp@example.org")
    pages["/gmwen4/materials/upload (focal point)"] = client.get("/gmwen4/materials/upload").data
    upload(client, "gmwen4", f"sheet-{naweg.id}", [(PDF, "sheet_fr.pdf")])
    refused = upload(client, "gmwen4", f"sheet-{naweg.id}", [(HTML, "sheet.pdf")])
    pages["refused upload (focal point)"] = refused.data
    pages["versions (focal point)"] = client.get(f"/gmwen4/materials/{sheet.id}/versions").data
    auth.logout()

    auth.login("org@example.org")
    for path in (
        "/gmwen4/materials",
        "/gmwen4/materials/upload",
        "/manage/gmwen4/materials/completeness",
        f"/gmwen4/materials/{sheet.id}/versions",
    ):
        pages[f"{path} (organiser)"] = client.get(path).data

    assert refused.status_code == 422
    assert all(b"</html>" in body for body in pages.values())
    problems = check(pages, tmp_path)
    assert problems == [], "\n".join(problems)

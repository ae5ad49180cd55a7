"""The materials pages pass the Nu HTML checker, for the public, a focal point and an
organiser, with a refused upload's messages shown too."""

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.test_html_validity import check
from tests.uploads.conftest import HTML, PDF, PDF2, upload
from wenevents import demo as demo_data
from wenevents.accounts.models import FOCAL_POINT, ORGANISER
from wenevents.extensions import db
from wenevents.networks.models import Network
from wenevents.uploads.models import Document

PDF3 = PDF2.replace(b"second", b"third!")


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
    pages["upload's outcome (focal point)"] = client.get("/gmwen4/materials/upload").data
    refused = upload(client, "gmwen4", f"sheet-{naweg.id}", [(HTML, "sheet.pdf")])
    pages["refused upload (focal point)"] = refused.data
    pages["versions (focal point)"] = client.get(f"/gmwen4/materials/{sheet.id}/versions").data
    upload(client, "gmwen4", f"sheet-{naweg.id}", [(PDF2, "sheet_fr.pdf")])
    mine = db.session.scalar(
        select(Document).where(Document.network_id == naweg.id, Document.language == "fr")
    )
    versions = client.get(f"/gmwen4/materials/{mine.id}/versions").data
    assert b"/versions/1/delete" in versions
    pages["versions with a delete (focal point)"] = versions
    pages["delete a version (focal point)"] = client.get(
        f"/gmwen4/materials/{mine.id}/versions/1/delete"
    ).data
    app.config["UPLOAD_QUOTA_PER_PERSON"] = 10
    over = upload(client, "gmwen4", f"sheet-{naweg.id}", [(PDF3, "sheet_fr.pdf")])
    assert over.status_code == 422
    pages["upload past the quota (focal point)"] = over.data
    auth.logout()

    auth.login("org@example.org")
    for path in (
        "/gmwen4/materials",
        "/gmwen4/materials/upload",
        "/manage/gmwen4/materials/completeness",
        f"/gmwen4/materials/{sheet.id}/versions",
        f"/gmwen4/materials/{mine.id}/versions",
        "/manage/gmwen4/materials/prune",
        f"/manage/gmwen4/materials/remind/{naweg.id}",
    ):
        pages[f"{path} (organiser)"] = client.get(path).data
    token = csrf_token(client.get("/manage/gmwen4/materials/completeness").text)
    client.post(
        "/manage/gmwen4/materials/access",
        data={"csrf_token": token, "documents": [str(sheet.id)], "access": "organisers"},
    )
    pages["completeness with a message (organiser)"] = client.get(
        "/manage/gmwen4/materials/completeness"
    ).data
    bad = client.post(
        "/manage/gmwen4/materials/access", data={"csrf_token": token, "access": "organisers"}
    )
    assert bad.status_code == 422
    pages["completeness with an error (organiser)"] = bad.data
    too_large = client.post(
        "/login",
        data=b"x" * 100,
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"CONTENT_LENGTH": str(13 * 1024 * 1024)},
        headers={"Referer": "http://localhost/gmwen4/materials/upload"},
    )
    assert too_large.status_code == 413
    pages["413"] = too_large.data

    assert refused.status_code == 422
    assert all(b"</html>" in body for body in pages.values())
    problems = check(pages, tmp_path)
    assert problems == [], "\n".join(problems)

"""Photos attached to a reviewer's finding (现场照片) through the JSON API: who may attach,
see and remove them, the limits, optimistic concurrency and the audit trail."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from support_api import act, under_review
from support_evidence import files_in, make_jpeg, make_pdf, make_png

from anbiao.api.kernel.storage import DiskStorage

ENT, ADMIN, R1, R2, R3 = (
    "ent@fz.cn",
    "admin@fz.gov",
    "r1@experts.cn",
    "r2@experts.cn",
    "r3@experts.cn",
)
OTHER_ENT, OTHER_ADMIN = "ent@xm.cn", "admin@xm.gov"


@pytest.fixture
def uploads(api, tmp_path) -> Path:
    root = tmp_path / "uploads"
    api.client.app.state.evidence_storage = DiskStorage(root)
    return root


@pytest.fixture
def finding(api, uploads):
    """An open finding by r1 on an application under review; a Xiamen firm and admin besides."""
    from anbiao.api.kernel.models import Role

    app = under_review(api)
    api.user(OTHER_ADMIN, Role.admin, region_prefix="3502")
    api.signup(OTHER_ENT, region="350203", uscc="91350203MA00000174", name="厦门示例机械厂")
    found = api.call(
        "POST",
        f"/api/v1/applications/{app['id']}/findings",
        R1,
        expect=201,
        json={"text": "配电箱门未关闭", "location": "二车间"},
    )
    return {**found, "app": app}


def photos_url(f) -> str:
    return f"/api/v1/applications/{f['application_id']}/findings/{f['id']}/photos"


def upload(api, f, as_=R1, content=None, name="IMG_0001.jpg", expect=201):
    return api.call(
        "POST",
        photos_url(f),
        as_,
        expect=expect,
        files={"file": (name, make_jpeg() if content is None else content, "image/jpeg")},
    )


def remove(api, f, photo, version, as_=R1, expect=204):
    url = f"{photos_url(f)}/{photo['id']}"
    return api.call("DELETE", url, as_, expect=expect, params={"version": version})


def test_attach_list_download_by_whoever_sees_the_finding(api, finding, uploads):
    jpeg = make_jpeg()
    added = upload(api, finding, content=jpeg)
    assert added["content_type"] == "image/jpeg" and added["size"] == len(jpeg)
    assert added["filename"] == "IMG_0001.jpg" and added["finding_version"] == 2
    png = upload(api, finding, content=make_png(), name="现场.png")
    assert png["finding_version"] == 3 and png["content_type"] == "image/png"
    assert len(files_in(uploads)) == 2

    for user in (ENT, ADMIN, R1, R2):  # whoever sees the application sees its findings' photos
        listed = api.call("GET", photos_url(finding), user)
        assert [p["id"] for p in listed["items"]] == [added["id"], png["id"]]
        r = api.client.get(f"{photos_url(finding)}/{added['id']}", headers=api.login(user))
        assert r.status_code == 200 and r.content == jpeg
        assert r.headers["content-type"] == "image/jpeg"
        assert r.headers["x-content-type-options"] == "nosniff"
    for user in (R3, OTHER_ENT, OTHER_ADMIN):  # foreign: as if it did not exist
        api.call("GET", photos_url(finding), user, expect=404)
        r = api.client.get(f"{photos_url(finding)}/{added['id']}", headers=api.login(user))
        assert r.status_code == 404 and added["id"] not in r.text
        # writing takes the reviewer's role first (403 for others, revealing nothing)
        upload(api, finding, as_=user, expect=404 if user == R3 else 403)
        remove(api, finding, added, 3, as_=user, expect=404 if user == R3 else 403)
    upload(api, finding, as_=R2, expect=403)  # assigned, but not the finding's author
    remove(api, finding, added, 3, as_=R2, expect=403)
    upload(api, finding, as_=ENT, expect=403)
    remove(api, finding, added, 3, as_=ADMIN, expect=403)
    # a photo is reached only through its own finding
    other = api.call(
        "POST",
        f"/api/v1/applications/{finding['application_id']}/findings",
        R1,
        expect=201,
        json={"text": "另一问题"},
    )
    r = api.client.get(f"{photos_url(other)}/{added['id']}", headers=api.login(ADMIN))
    assert r.status_code == 404


def test_only_images_within_the_limit(api, finding, uploads, monkeypatch):
    refused = upload(api, finding, content=make_pdf(), name="photo.jpg", expect=415)
    assert refused["detail"].startswith("不支持的文件类型") and "JPEG" in refused["detail"]
    assert refused["allowed"] == [".jpeg", ".jpg", ".png", ".webp"]
    assert upload(api, finding, content=b"just text", expect=415)["status"] == 415
    upload(api, finding, content=b"", expect=422)
    monkeypatch.setattr(api.client.app.state.settings, "max_upload_bytes", 1000)
    big = upload(api, finding, content=make_jpeg(400, 400), expect=413)
    assert big["max_bytes"] == 1000 and big["detail"] == "文件过大（上限 1000 字节）"
    english = {**api.login(R1), "Accept-Language": "en"}
    for content, status, detail in (
        (make_jpeg(400, 400), 413, "file too large (limit 1000 bytes)"),
        (b"just text", 415, "unsupported file type: allowed are JPEG, PNG, WebP images"),
    ):
        r = api.client.post(photos_url(finding), headers=english, files={"file": ("a", content)})
        assert r.status_code == status and r.headers["content-type"] == "application/problem+json"
        assert r.json()["detail"].startswith(detail)
    assert files_in(uploads) == []  # nothing refused was kept
    assert api.call("GET", photos_url(finding), ADMIN)["total"] == 0
    assert (
        api.call("GET", f"/api/v1/applications/{finding['application_id']}/findings", R1)["items"][
            0
        ]["version"]
        == 1
    )  # nor did the finding change


def test_remove_with_the_version_read_and_audit(api, finding, uploads):
    first = upload(api, finding)
    second = upload(api, finding, content=make_png())
    stale = remove(api, finding, first, first["finding_version"], expect=409)
    assert stale["status"] == 409 and stale["current"]["version"] == second["finding_version"]
    assert len(files_in(uploads)) == 2
    remove(api, finding, first, second["finding_version"])
    listed = api.call("GET", photos_url(finding), ENT)["items"]
    assert [p["id"] for p in listed] == [second["id"]]
    assert len(files_in(uploads)) == 1
    remove(api, finding, first, second["finding_version"] + 1, expect=404)  # already gone

    events = api.call(
        "GET",
        f"/api/v1/applications/{finding['application_id']}/events",
        ADMIN,
        params={"limit": 500},
    )["items"]
    trail = [(e["action"], e["after"]) for e in events if "photo" in e["action"]]
    assert [a for a, _ in trail] == [
        "finding.photo_added",
        "finding.photo_added",
        "finding.photo_removed",
    ]
    assert trail[0][1]["photo"]["sha256"] and trail[1][1]["finding"]["photos"] == [
        first["id"],
        second["id"],
    ]
    assert trail[2][1]["finding"]["photos"] == [second["id"]]


def test_no_changes_once_the_finding_or_the_review_is_closed(api, finding, uploads):
    kept = upload(api, finding)
    url = f"/api/v1/applications/{finding['application_id']}/findings/{finding['id']}/withdraw"
    withdrawn = api.call("POST", url, R1, json={"version": kept["finding_version"]})
    upload(api, finding, expect=409)
    remove(api, finding, kept, withdrawn["version"], expect=409)
    # the photo of a withdrawn finding stays readable
    assert api.call("GET", photos_url(finding), ENT)["total"] == 1

    app = api.call("GET", f"/api/v1/applications/{finding['application_id']}", ADMIN)
    open_one = api.call(
        "POST",
        f"/api/v1/applications/{app['id']}/findings",
        R1,
        expect=201,
        json={"text": "安全出口堵塞"},
    )
    photo = upload(api, open_one)
    review = {"answers": {}}
    api.call("PUT", f"/api/v1/applications/{app['id']}/review", R1, json=review)
    api.call("PUT", f"/api/v1/applications/{app['id']}/review", R2, json=review)
    app = api.call("GET", f"/api/v1/applications/{app['id']}", ADMIN)
    act(api, app, "conclude_rectify", R1)
    upload(api, open_one, expect=409)  # raised as a hazard: the round is over
    remove(api, open_one, photo, photo["finding_version"] + 1, expect=409)
    assert api.call("GET", photos_url(open_one), ENT)["total"] == 1


def test_the_review_report_shows_the_photos(api, finding, tmp_path):
    from openpyxl import load_workbook
    from support_ui import pdf_problems, pdf_text

    url = f"/api/v1/applications/{finding['application_id']}/report"
    before = api.client.get(url, params={"format": "pdf"}, headers=api.login(ENT)).content
    photo = io.BytesIO()  # a phone photo's worth of detail: some 400 kB
    Image.effect_noise((1200, 900), 40).convert("RGB").save(photo, "JPEG", quality=90)
    upload(api, finding, content=photo.getvalue(), name="配电箱.jpg")
    upload(api, finding, content=make_png(40, 30), name="门.png")
    r = api.client.get(url, params={"format": "pdf"}, headers=api.login(ENT))
    assert r.status_code == 200
    text = pdf_text(r.content)
    assert "评审发现的问题" in text and "配电箱门未关闭" in text and "现场照片" in text
    assert "配电箱.jpg" in text and "门.png" in text and "未附缩略图" not in text
    assert pdf_problems(r.content, "zh-CN") == []
    (tmp_path / "report.pdf").write_bytes(r.content)
    listed = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "report.pdf")], capture_output=True, check=True
    ).stdout.decode()
    sizes = [tuple(map(int, line.split()[3:5])) for line in listed.splitlines()[2:]]
    assert (240, 180) in sizes and (40, 30) in sizes  # thumbnails, at most 240 px
    assert len(r.content) - len(before) < 60_000 < len(photo.getvalue())  # thumbnails only

    r = api.client.get(url, params={"format": "xlsx"}, headers=api.login(ADMIN))
    book = load_workbook(io.BytesIO(r.content))
    rows = [[str(c or "") for c in row] for row in book["评审发现"].iter_rows(values_only=True)]
    assert rows[1][2] == "配电箱门未关闭" and rows[1][-1] == "配电箱.jpg；门.png"

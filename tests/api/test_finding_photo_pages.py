"""Finding photos on the application page (no browser): the reviewer's camera and file inputs,
thumbnails for whoever sees the application, removal with the version the page read."""

from __future__ import annotations

import re

import pytest
from support_api import under_review
from support_evidence import make_jpeg, make_pdf
from support_ui import Pages, page_problems

from anbiao.api.kernel.models import Role
from anbiao.api.kernel.storage import DiskStorage


@pytest.fixture
def application(api, tmp_path) -> str:
    api.client.app.state.evidence_storage = DiskStorage(tmp_path / "uploads")
    app = under_review(api)
    api.user("r9@experts.cn", Role.reviewer, region_prefix="35")
    return f"/applications/{app['id']}"


def photo(pages: Pages, url: str, content: bytes, expect: int = 200, name: str = "IMG_1.jpg"):
    r = pages.client.post(
        url,
        files={"photo": (name, content, "image/jpeg")},
        headers={"x-csrftoken": pages.token, "hx-request": "true"},
    )
    assert r.status_code == expect, r.text[:2000]
    return r


def test_photos_on_a_finding_through_the_application_page(api, application):
    pages = Pages(api.client)
    pages.sign_in("r1@experts.cn")
    pages.post(f"{application}/findings", {"text": "配电箱门未关闭", "location": "二车间"})
    html = pages.get(application)
    finding = re.search(r'id="finding-([0-9a-f-]+)"', html).group(1)
    upload_url = f"{application}/findings/{finding}/photos"
    camera = re.search(r'<input type="file" id="fc-[^>]*>', html).group(0)
    assert 'accept="image/*"' in camera and 'capture="environment"' in camera
    assert 'name="file" accept="image/jpeg,image/png,image/webp" multiple' in html
    assert "/static/uploads.js" in html

    jpeg = make_jpeg()
    fragment = photo(pages, upload_url, jpeg).text
    assert page_problems(fragment, "zh-CN") == []
    thumb = re.search(rf'<img src="({upload_url}/[0-9a-f-]+)"', fragment).group(1)
    assert pages.client.get(thumb).content == jpeg
    assert 'name="version" value="2"' in fragment  # the finding's new version, for its buttons
    refused = photo(pages, upload_url, make_pdf(), expect=415)
    assert "不支持的文件类型" in refused.text and "JPEG" in refused.text

    html = pages.get(application)
    assert page_problems(html, "zh-CN") == []
    assert thumb in html and "IMG_1.jpg" in html

    # a plain form (no script) goes back to the finding; the stale delete is refused (409)
    r = pages.client.post(
        upload_url,
        data={"_csrf_token": pages.token},
        files={"file": ("b.jpg", make_jpeg(30, 30), "image/jpeg")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith(f"#finding-{finding}")
    photo_id = thumb.rsplit("/", 1)[1]
    stale = pages.post(f"{thumb}/delete", {"version": "2"}, expect=409)
    assert "数据已被他人修改" in stale.text and thumb in stale.text  # kept, said on the page
    pages.post(f"{thumb}/delete", {"version": "3"})
    html = pages.get(application)
    assert photo_id not in html and "b.jpg" in html
    events = api.call("GET", f"/api/v1{application}/events", "admin@fz.gov")["items"]
    assert [e["action"] for e in events if "photo" in e["action"]] == [
        "finding.photo_added",
        "finding.photo_added",
        "finding.photo_removed",
    ]

    for email in ("ent@fz.cn", "admin@fz.gov", "r2@experts.cn"):  # they see it, cannot change it
        pages.sign_in(email)
        html = pages.get(application)
        assert "b.jpg" in html and "/delete" not in html and 'capture="environment"' not in html
        kept = re.search(rf'<img src="({upload_url}/[0-9a-f-]+)"', html).group(1)
        assert pages.client.get(kept).status_code == 200
    pages.sign_in("r9@experts.cn")  # a reviewer not assigned: not found
    pages.get(application, expect=404)
    assert pages.client.get(kept).status_code == 404
    photo(pages, upload_url, jpeg, expect=404)

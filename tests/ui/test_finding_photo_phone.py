"""A reviewer on site with a 375 px phone (zh-CN, Debian's chromium): takes a photo of what they
found through the camera input of the finding, and sees it as a thumbnail on the finding; the
enterprise sees it too. Screenshot in ``build/screenshots``."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import expect
from support_api import Api, served_site, under_review
from support_browser import Journey

LIMIT = 400_000  # the site's upload limit, below the camera photo's size


@pytest.fixture(scope="module")
def review_site(tmp_path_factory, worker_id) -> Iterator[tuple[str, str]]:
    """A served app with an application under review and r1's open finding on it."""

    def seed(api: Api) -> str:
        app = under_review(api)
        api.call(
            "POST",
            f"/api/v1/applications/{app['id']}/findings",
            "r1@experts.cn",
            expect=201,
            json={"text": "配电箱门未关闭，箱内积尘", "location": "二车间东门"},
        )
        return f"/applications/{app['id']}"

    folder = tmp_path_factory.mktemp("finding-photo")
    with served_site(folder, f"finding_photo_{worker_id}", seed, max_upload_bytes=LIMIT) as site:
        yield site


def test_a_camera_photo_on_a_finding_shows_as_a_thumbnail(review_site, browser, tmp_path):
    base, application = review_site
    shot = tmp_path / "IMG_20260305_143000.jpg"  # as a phone camera names it
    Image.effect_noise((1600, 1200), 40).convert("RGB").save(shot, quality=90)
    assert shot.stat().st_size > LIMIT
    j = Journey(browser, base, width=375)
    j.log_in("r1@experts.cn")
    page = j.page
    j.open(application)
    finding = page.locator("#findings article.item").first
    camera = finding.locator("input[name=photo]")
    assert camera.get_attribute("capture") == "environment"
    assert camera.get_attribute("accept") == "image/*"
    expect(finding.get_by_text("拍照")).to_be_visible()
    camera.set_input_files(shot)
    # decoding and re-encoding the photo in the page takes a moment on a busy machine
    expect(finding.locator(".upload-status")).to_contain_text("已上传", timeout=60_000)
    thumb = finding.locator(".photos img")
    expect(thumb).to_be_visible()
    stored = page.request.get(base + thumb.get_attribute("src")).body()
    assert len(stored) <= LIMIT  # scaled down in the browser to fit the limit
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size[0] > image.size[1]
    expect(finding.get_by_role("button", name=re.compile("删除"))).to_be_visible()
    assert j.fits()
    finding.scroll_into_view_if_needed()
    j.shot("21-finding-photo-375px", full_page=False)
    page.reload()  # the server holds it
    expect(page.locator("#findings .photos img")).to_have_count(1)
    assert j.close() == []

    j = Journey(browser, base, width=375)
    j.log_in("ent@fz.cn")  # the enterprise sees the photo of the finding, without the buttons
    j.open(application)
    expect(j.page.locator("#findings .photos img")).to_be_visible()
    assert j.page.locator("#findings input[type=file]").count() == 0
    assert j.close() == []

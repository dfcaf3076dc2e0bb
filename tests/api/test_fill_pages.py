"""The self-assessment pages a non-specialist reads while filling: completion and the score of
what is answered (never the whole checklist's percentage with unanswered items as zero), the
final figures only once complete, the filter, one saving model, and page titles."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from support_api import statements
from support_ui import Pages

from anbiao.api.assessments.service import score_answers
from anbiao.api.assessments.standing import standing
from anbiao.core.models.profile import Profile

ITEM = re.compile(r'name="s:([^"]+)" value="compliant"')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
FROM_ASSESSMENT = re.compile(r"\bFROM assessment\b", re.I)


@pytest.fixture
def pages(api) -> Pages:
    p = Pages(api.client)
    p.sign_up("ent@fz.cn")
    return p


def first_element(pages: Pages) -> tuple[str, str]:
    assessment = pages.post("/enterprise/assessments").headers["location"].rsplit("/", 1)[1]
    overview = pages.get(f"/assessments/{assessment}")
    code = re.search(rf"/assessments/{assessment}/fill/([^\"]+)\"", overview).group(1)
    return assessment, f"/assessments/{assessment}/fill/{code}"


def save(pages: Pages, path: str, version: int, **answers: str):
    form = {f"s:{item}": status for item, status in answers.items()}
    return pages.post(path, {"version": str(version), **form}, expect=200, htmx=True)


def test_four_compliant_answers_read_100_percent_of_what_is_answered(pages):
    assessment, path = first_element(pages)
    items = ITEM.findall(pages.get(path))
    saved = save(pages, path, 1, **dict.fromkeys(items[:4], "compliant"))
    assert "已保存" in saved.text
    fill = pages.get(path)
    total = re.search(r"已答 (\d+)/(\d+)", fill)
    assert total.group(1) == "4" and int(total.group(2)) > 100
    assert "已答项得分率 <strong>100.0%</strong>" in fill
    assert not re.search(r"最终得分率 <strong>", fill)  # no final percentage before complete
    assert "全部答完后给出最终得分率和等级" in fill
    result = pages.get(f"/assessments/{assessment}/result")
    assert "预估" in result and 'id="rule"' in result
    for rule in ("不计入分母", "扣完为止", "否决项不符合"):
        assert rule in result
    assert "预估" in pages.get("/enterprise")  # the dashboard labels it too


def test_the_page_autosave_reads_the_assessment_once(api, pages):
    """The stored answers that build the batch are the ones the save reads: one SELECT of the
    assessment, then the versioned UPDATE; the fragment carries the new version."""
    _, path = first_element(pages)
    item = ITEM.findall(pages.get(path))[0]
    saved = []
    sent = statements(api, lambda: saved.append(save(pages, path, 1, **{item: "compliant"})))
    reads = [
        s for s in sent if s.lstrip().upper().startswith("SELECT") and FROM_ASSESSMENT.search(s)
    ]
    assert len(reads) == 1, sent
    assert 'name="version" value="2"' in saved[0].text


def test_standing_leaves_unanswered_and_na_items_out(core_engine):
    profile = Profile.model_validate(
        {
            "uscc": "91350102MA00000152",
            "name": "n",
            "region": "350102",
            "industry": "machinery",
            "employees": 12,
            "annual_revenue_10k": 450,
        }
    )
    scored = score_answers(core_engine, profile.model_dump(mode="json"), {})
    ids = [i.item_id for i in scored.result.items]
    answers = {ids[0]: {"status": "compliant"}, ids[1]: {"status": "non_compliant"}}
    s = standing(score_answers(core_engine, profile.model_dump(mode="json"), answers).result)
    first, second = scored.result.items[0], scored.result.items[1]
    assert (s.answered, s.earned, s.applicable) == (
        2,
        first.max_score,
        first.max_score + second.max_score,
    )
    assert not s.complete and s.left == s.total - 2
    assert s.percentage < s.answered_percentage  # the engine's counts unanswered items as zero


def test_the_filter_shows_only_unanswered_or_failed_items_without_javascript(pages):
    _, path = first_element(pages)
    items = ITEM.findall(pages.get(path))
    save(pages, path, 1, **{items[0]: "compliant", items[1]: "non_compliant"})
    html = pages.get(path + "?show=open")
    shown = re.findall(r'<article class="item card" id="item-([^"]+)" data-state="(\w+)"\s*>', html)
    assert {state for _, state in shown} == {"open"} and len(shown) == len(items) - 2
    html = pages.get(path + "?show=failed")
    shown = re.findall(r'<article class="item card" id="item-([^"]+)" data-state="(\w+)"\s*>', html)
    assert shown == [(items[1].replace(".", "_"), "failed")]
    pages.get(path + "?show=everything", expect=400)


def test_without_javascript_the_save_button_posts_and_returns_to_the_page(pages):
    _, path = first_element(pages)
    html = pages.get(path)
    assert "<noscript><button" in html  # the only button: autosave does the rest
    item = ITEM.findall(html)[0]
    r = pages.post(path, {"version": "1", f"s:{item}": "compliant", "show": "open"})
    assert r.headers["location"] == path + "?show=open"
    assert 'value="compliant" checked' in pages.get(path)


def test_every_page_title_says_where_you_are(pages):
    assessment, path = first_element(pages)
    titles = {
        p: TITLE.search(pages.get(p)).group(1).split(" · ")[0]
        for p in (
            "/enterprise",
            f"/assessments/{assessment}",
            path,
            f"/assessments/{assessment}/result",
            "/hazards",
            "/verify",
        )
    }
    assert len(set(titles.values())) == len(titles), titles
    assert "安标" not in titles.values()


def test_a_photo_without_javascript_goes_back_to_the_item_and_shows_as_a_thumbnail(pages):
    _, path = first_element(pages)
    html = pages.get(path)
    assert 'name="photo" accept="image/*" capture="environment"' in html
    item = ITEM.findall(html)[0]
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(photo, "JPEG")
    back = f"{path}?show=open#item-{item.replace('.', '_')}"
    r = pages.client.post(
        path.split("/fill/")[0] + "/evidence",
        data={"_csrf_token": pages.token, "item_id": item, "back": back},
        files={"photo": ("IMG_0001.jpg", photo.getvalue(), "image/jpeg"), "file": ("", b"")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == back
    assert re.search(r'<img src="/evidence/[^"]+" alt="IMG_0001.jpg"', pages.get(path))

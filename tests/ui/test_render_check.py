"""The render check itself (``support_ui``): it finds what issue #17 saw and leaves alone what a
page may show (names and untranslated item texts, the language switch marked with its ``lang``)."""

from __future__ import annotations

import pytest
from support_ui import page_problems, text_problems

from anbiao.api.reports.labels import LABELS


def test_the_issue_17_heading_is_found():
    leaked = "<h2>&lt;built-in method items of dict object at 0x7f3a2c&gt;</h2>"
    assert any("<built-in" in p for p in page_problems(leaked, "zh-CN"))


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ("<p>{{ t.items }}</p>", "'{{'"),
        ("<p>{% if x %}</p>", "'{%'"),
        ("<td>None</td>", "None shown"),
        ('<input value="None">', "None shown"),
        ("<td>得分率 None%</td>", "None shown"),
        ("<h2> </h2>", "empty <h2>"),
        ("<legend></legend>", "empty <legend>"),
        ("<th>Score per element</th>", "English label"),
        ('<nav aria-label="Main navigation"></nav>', "English label"),
        ("<p>请核对 the second field</p>", "English"),
    ],
)
def test_what_a_chinese_page_must_not_show(html, found):
    assert any(found in p for p in page_problems(html, "zh-CN")), page_problems(html, "zh-CN")


def test_chinese_labels_on_an_english_page():
    assert page_problems("<th>扣分点及原因说明汇总表</th>", "en")
    assert page_problems("<p>Deadline · 整改期限</p>", "en")


def test_what_a_page_may_show():
    clean = (
        '<html lang="zh-Hans"><h1>福州示例机械厂</h1><p>base.5-1-1.01 · machinery v2026.1</p>'
        '<a lang="en" hreflang="en" href="/lang/en">English</a>'
        "<style>h1 { font: 12pt sans-serif }</style><td>None of the 5 rooms</td></html>"
    )
    assert page_problems(clean.replace("<td>None of the 5 rooms</td>", ""), "zh-CN") == []
    english = '<html lang="en"><td>None of the 5 rooms</td><td>扣分原因，形成由主要负责</td>'
    english += '<a lang="zh-Hans" href="/lang/zh-CN">中文</a></html>'
    assert page_problems(english, "en") == []


def test_report_labels_are_checked_in_both_directions():
    assert text_problems([LABELS["en"]["items"]], "zh-CN")
    assert text_problems([LABELS["zh-CN"]["items"]], "en")
    assert text_problems([LABELS["zh-CN"]["items"]], "zh-CN") == []

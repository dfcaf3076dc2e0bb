"""Every message of the UI has its English translation, with the same placeholders."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from anbiao.api.app import TEMPLATE_DIRS
from anbiao.api.kernel import i18n
from anbiao.api.kernel.forms import FIELD_LABELS
from anbiao.api.kernel.pages import environment
from anbiao.core.errors import MESSAGES, AssessmentError, Message

API = Path(i18n.__file__).parent.parent  # every slice's pages


def template_messages() -> set[str]:
    env = environment(TEMPLATE_DIRS)
    found = set()
    for path in (p for d in TEMPLATE_DIRS for p in d.rglob("*.html")):
        if "reports" in path.parent.parts[-1:]:
            continue  # the report templates carry their own labels
        found |= {
            m for _, _, m in env.extract_translations(path.read_text("utf-8")) if isinstance(m, str)
        }
    return found


def code_messages() -> set[str]:
    """Literal messages given to ``t(lang, "…")`` in the service's Python modules."""
    found = set()
    for path in API.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and "t" in (getattr(node.func, "id", None), getattr(node.func, "attr", None))
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
            ):
                found.add(node.args[1].value)
    return found


def all_messages() -> set[str]:
    return (
        template_messages()
        | code_messages()
        | set(i18n.NAMES.values())
        | set(i18n.CODES.values())
        | set(FIELD_LABELS.values())
    )


def test_every_message_has_an_english_translation():
    english = i18n.catalog("en")
    missing = sorted(m for m in all_messages() if m not in english)
    assert not missing, "add to api/kernel/locales/en.yaml:\n" + "\n".join(
        f"{m}: " for m in missing
    )


def test_translations_keep_their_placeholders_and_nothing_is_stale():
    english = i18n.catalog("en")
    for message, translation in english.items():
        assert set(re.findall(r"\{\w+\}", message)) == set(re.findall(r"\{\w+\}", translation)), (
            message
        )
    assert not sorted(set(english) - all_messages()), "unused translations"


def test_service_messages_are_split_by_language():
    text = "数据已被他人修改，请刷新后重试 / changed by someone else: reload and retry"
    assert i18n.bilingual(text, "zh-CN").startswith("数据已被他人修改")
    assert i18n.bilingual(text, "en") == "changed by someone else: reload and retry"


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_every_engine_message_has_a_code_in_the_catalog_with_its_parameters():
    assert set(i18n.CODES) == set(MESSAGES), "api/kernel/i18n.py CODES and core MESSAGES differ"
    for code, english in MESSAGES.items():
        assert placeholders(i18n.CODES[code]) == placeholders(english), code


def test_an_engine_refusal_reads_in_one_language():
    error = AssessmentError.of(
        [
            Message("answer.partial_needs_deduction", {"item": "base.5-1-2.02"}),
            Message("answer.deduction_once", {"item": "x.1", "deduction": "d1", "times": 2}),
        ]
    )
    assert str(error).startswith("base.5-1-2.02: a partial answer needs at least one deduction")
    chinese = i18n.describe(error, "zh-CN")
    assert chinese == (
        "base.5-1-2.02：选“部分符合”时请至少勾选一项扣分项；x.1：扣分项“d1”只能选一次，不能选 2 次"
    )
    english = i18n.describe(error, "en")
    assert "partial answer needs at least one deduction" in english
    assert not re.search(r"[\u4e00-\u9fff]", english), english


def test_service_messages_are_described_in_one_language():
    error = AssessmentError(
        "自评已提交评审，不能修改 / the assessment is under an active application"
    )
    assert i18n.describe(error, "zh-CN") == "自评已提交评审，不能修改"
    assert i18n.describe(error, "en") == "the assessment is under an active application"


def bilingual_literals() -> list[tuple[str, ast.JoinedStr]]:
    """Service messages written as f"中文 / English" in the service's Python modules."""
    found = []
    for path in API.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.JoinedStr) and any(
                isinstance(v, ast.Constant) and CHINESE_THEN_SLASH.search(str(v.value))
                for v in node.values
            ):
                found.append((f"{path.name}:{node.lineno}", node))
    return found


CHINESE_THEN_SLASH = re.compile(r"[\u4e00-\u9fff）]\S* / ")


def test_bilingual_messages_carry_their_values_in_both_languages():
    """Each half of a "中文 / English" message shows as many values (nothing is lost when a page
    shows only one half)."""
    literals = bilingual_literals()
    assert literals
    for where, node in literals:
        halves: list[list[str]] = [[]]
        for part in node.values:
            if isinstance(part, ast.Constant):
                if " / " in str(part.value) and len(halves) == 1:
                    halves.append([])
            else:
                halves[-1].append(ast.unparse(part))
        assert len(halves[0]) == len(halves[-1]), where

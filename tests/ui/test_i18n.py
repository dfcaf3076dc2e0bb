"""Every message of the UI has its English translation, with the same placeholders."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from anbiao.api.app import TEMPLATE_DIRS
from anbiao.api.kernel import i18n
from anbiao.api.kernel.forms import FIELD_LABELS
from anbiao.api.kernel.pages import environment

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

"""Playwright on Debian's chromium for the browser tests: the browser, and one person's context
that records every request (none may leave localhost) and takes screenshots."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from support_api import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    assert Path(CHROMIUM).exists(), (
        "Debian's chromium is missing: `bash .ci/setup --test` installs it"
    )
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        launched.close()


class Journey:
    """One browser context (one person) with every request it makes recorded."""

    def __init__(self, browser, base: str, width: int = 1280) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        self.requests: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str, full_page: bool = True) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    def fits(self) -> bool:
        """No horizontal scrolling: the page fits its viewport."""
        return self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    def log_in(self, email: str) -> None:
        self.open("/login")
        self.page.get_by_label("电子邮箱").fill(email)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_label("密码").press("Enter")  # keyboard only
        self.page.wait_for_url(re.compile(r"/(admin|review|enterprise)$"))

    def start_filling(self, link: str = "开始填写") -> None:
        """Open the fill pages from an assessment and wait until they have loaded: an answer
        chosen before htmx listens would save nothing."""
        self.page.get_by_role("link", name=link).click()
        self.page.wait_for_url(re.compile(r"/fill/"))

    def act(self, action_label: str) -> None:
        form = self.page.locator("form", has=self.page.get_by_role("button", name=action_label))
        form.get_by_role("button", name=action_label).click()
        self.page.wait_for_load_state()

    def close(self) -> list[str]:
        self.context.close()
        return [u for u in self.requests if urlsplit(u).hostname not in ("127.0.0.1", "localhost")]


def all_saved(page: Page) -> None:
    """Every autosave asked for on the fill page has been answered, and none failed."""
    expect(page.locator("#fill-bar")).to_have_attribute("data-pending", "0", timeout=60_000)
    expect(page.locator("#save-status")).to_have_text(re.compile("已保存|saved", re.IGNORECASE))

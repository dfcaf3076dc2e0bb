"""A page-level test client: signs in through the forms and posts with the page's CSRF token."""

from __future__ import annotations

import re
from typing import Any

from support_api import PASSWORD

_TOKEN = re.compile(r'"x-csrftoken": "([^"]+)"')


class Pages:
    """Browses the UI as one user at a time (cookies: session, CSRF, language)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.token = ""

    def get(self, path: str, expect: int = 200, **kw: Any) -> str:
        r = self.client.get(path, **kw)
        assert r.status_code == expect, f"GET {path}: {r.status_code} {r.text[:2000]}"
        if found := _TOKEN.search(r.text):
            self.token = found.group(1)
        return r.text

    def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        expect: int = 303,
        htmx: bool = False,
        **kw: Any,
    ) -> Any:
        headers = {"x-csrftoken": self.token} if htmx else {}
        if htmx:
            headers["hx-request"] = "true"
        body = {**(data or {})} if htmx else {"_csrf_token": self.token, **(data or {})}
        r = self.client.post(path, data=body, headers=headers, follow_redirects=False, **kw)
        assert r.status_code == expect, f"POST {path}: {r.status_code} {r.text[:3000]}"
        return r

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.client.cookies.clear()
        self.get("/login")
        self.post("/login", {"email": email, "password": password})

    def sign_up(self, email: str, **profile: Any) -> None:
        self.client.cookies.clear()
        self.get("/signup")
        form = {
            "name": "安全员",
            "email": email,
            "password": PASSWORD,
            "enterprise_name": "福州示例机械厂",
            "uscc": "91350102MA00000152",
            "region": "350102",
            "industry": "machinery",
            "hazards": ["dust_explosion"],
            "employees": "20",
            "annual_revenue_10k": "500",
            "size_sector": "industrial",
            "deaths": "0",
            "serious_injuries": "0",
            "direct_loss_10k": "0",
            **profile,
        }
        self.post("/signup", form)


def ids(pattern: str, html: str) -> list[str]:
    return re.findall(pattern, html)

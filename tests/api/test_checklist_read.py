"""The checklist read names its content with an ETag: an unchanged checklist is a 304."""

from __future__ import annotations

import gzip

from support_api import FUZHOU, start


def test_checklist_etag_and_conditional_get(api):
    _, assessment = start(api, **FUZHOU)
    path = f"/api/v1/assessments/{assessment['id']}/checklist"
    headers = api.login("ent@fz.cn")
    first = api.client.get(path, headers=headers)
    etag = first.headers["etag"]
    assert first.status_code == 200 and assessment["fingerprint"] in etag
    assert first.json()["fingerprint"] == assessment["fingerprint"]
    again = api.client.get(path, headers={**headers, "If-None-Match": f'W/{etag}, "other"'})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    english = api.client.get(
        path, params={"lang": "en"}, headers={**headers, "If-None-Match": etag}
    )
    assert english.status_code == 200 and english.headers["etag"] != etag
    assert english.json()["elements"] != first.json()["elements"]  # English texts
    stale = api.client.get(path, headers={**headers, "If-None-Match": '"an-older-checklist"'})
    assert stale.status_code == 200 and stale.json() == first.json()


def test_a_foreign_checklist_is_not_found_even_with_its_etag(api):
    _, assessment = start(api, **FUZHOU)
    path = f"/api/v1/assessments/{assessment['id']}/checklist"
    etag = api.client.get(path, headers=api.login("ent@fz.cn")).headers["etag"]
    api.signup("other@xm.cn", uscc="91350200MA00000236", region="350203", name="厦门示例厂")
    r = api.client.get(path, headers={**api.login("other@xm.cn"), "If-None-Match": etag})
    assert r.status_code == 404


def test_a_client_that_accepts_gzip_gets_the_checklist_compressed(api):
    """The same JSON, a quarter of the bytes or less, under an entity tag of its own; without
    gzip (or with q=0) the identity body. Each representation answers 304 to its own tag."""
    _, assessment = start(api, **FUZHOU)
    path = f"/api/v1/assessments/{assessment['id']}/checklist"
    headers = api.login("ent@fz.cn")
    plain = api.client.get(path, headers={**headers, "Accept-Encoding": "identity"})
    refused = api.client.get(path, headers={**headers, "Accept-Encoding": "gzip;q=0, br"})
    with api.client.stream("GET", path, headers={**headers, "Accept-Encoding": "br, gzip"}) as r:
        raw = b"".join(r.iter_raw())
        packed = r
    assert "content-encoding" not in plain.headers and "content-encoding" not in refused.headers
    assert refused.headers["etag"] == plain.headers["etag"]
    assert (
        packed.headers["content-encoding"] == "gzip" and "Accept-Encoding" in packed.headers["vary"]
    )
    assert packed.headers["etag"] != plain.headers["etag"]
    assert gzip.decompress(raw) == plain.content and len(raw) * 3 < len(plain.content)
    for etag, accept in ((plain.headers["etag"], "identity"), (packed.headers["etag"], "gzip")):
        again = {**headers, "Accept-Encoding": accept, "If-None-Match": etag}
        assert api.client.get(path, headers=again).status_code == 304

"""Response bodies of certificates."""

from __future__ import annotations

from datetime import date

from anbiao.api.kernel.schemas import Output


class CertificateCheck(Output):
    """What anyone may see of a certificate (public verification)."""

    number: str
    enterprise_name: str
    grade: str
    status: str
    valid_until: date
    valid: bool

"""Public certificate verification (证书查验): no log-in, minimal data."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import PathParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from anbiao.api.certificates.schemas import CertificateCheck
from anbiao.api.kernel.access import not_found
from anbiao.api.kernel.models import Certificate


@get(
    "/api/v1/certificates/{number:str}",
    operation_id="verifyCertificate",
    exclude_from_auth=True,
    tags=["certificates"],
)
async def verify_certificate(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    number: Annotated[str, PathParameter(max_length=40)],
) -> CertificateCheck:
    """Validity, grade, status and enterprise name of a certificate, for anyone."""
    check = await certificate_check(db_session, number, request.app.state.clock())
    if check is None:
        raise not_found("certificate.not_found")
    return check


async def certificate_check(
    session: AsyncSession, number: str, today: date
) -> CertificateCheck | None:
    """What the public may know of certificate ``number`` today (None: no such certificate)."""
    certificate = await session.scalar(select(Certificate).where(Certificate.number == number))
    if certificate is None:
        return None
    valid = certificate.status == "valid" and certificate.valid_until >= today
    status = "expired" if certificate.status == "valid" and not valid else certificate.status
    return CertificateCheck(
        number=certificate.number,
        enterprise_name=certificate.enterprise_name,
        grade=certificate.grade,
        status=status,
        valid_until=certificate.valid_until,
        valid=valid,
    )

"""Enterprise profile (企业基本信息): what the engine needs to tailor a checklist."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

from anbiao.core.errors import Message
from anbiao.core.models._base import Integer
from anbiao.core.models.text import NAME_MAX, Text
from anbiao.core.region import region_error
from anbiao.core.size_class import SIZE_TABLE_2011, SizeClass, SizeSector, SizeTable, classify
from anbiao.core.uscc import check_uscc

# For clients and the OpenAPI document; the validators below give the friendlier messages.
_C = "0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy"
USCC_PATTERN = rf"^\s*[{_C}]{{2}}[0-9]{{6}}[{_C}]{{10}}\s*$"
REGION_PATTERN = (
    r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])(0000|(0[1-9]|[1-9][0-9])[0-9]{2})$"
)

_SLUG_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
_Slug = Annotated[str, StringConstraints(pattern=_SLUG_PATTERN, max_length=64)]
# Bounds no real enterprise meets, so that every number fits the database and the arithmetic.
PEOPLE_MAX = 10_000_000
"""Employees, deaths, serious injuries."""
AMOUNT_MAX = Decimal(10**9)
"""Revenue and losses in 10k CNY (10 trillion CNY)."""
HAZARDS_MAX = 20


# Published as a JSON number within its bounds (a decimal string is read too).
Amount = Annotated[
    Decimal,
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": int(AMOUNT_MAX)}),
]


class AccidentRecord(BaseModel):
    """Production-safety accidents (生产安全事故) of the last 12 months."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deaths: Integer = Field(default=0, ge=0, le=PEOPLE_MAX, description="死亡人数 / deaths")
    serious_injuries: Integer = Field(
        default=0, ge=0, le=PEOPLE_MAX, description="重伤人数 / seriously injured"
    )
    direct_loss_10k: Amount = Field(
        default=Decimal(0),
        ge=0,
        le=AMOUNT_MAX,
        description="直接经济损失（万元）/ direct loss in 10k CNY",
    )


class Profile(BaseModel):
    """An enterprise's profile; validated field by field with messages naming what is expected."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    uscc: str = Field(
        description="统一社会信用代码 (18 characters, GB 32100)",
        json_schema_extra={"pattern": USCC_PATTERN},
    )
    name: Text(NAME_MAX, required=True) = Field(description="企业名称 / registered name")
    region: str = Field(
        description="行政区划代码 (6 digits, GB/T 2260), e.g. 350102",
        json_schema_extra={"pattern": REGION_PATTERN},
    )
    industry: _Slug = Field(description="行业: a registered industry id, e.g. machinery")
    hazards: frozenset[_Slug] = Field(
        default=frozenset(),
        max_length=HAZARDS_MAX,
        description="专项: registered hazard ids, e.g. dust_explosion",
    )
    employees: Integer = Field(ge=0, le=PEOPLE_MAX, description="从业人员 / employees")
    annual_revenue_10k: Amount = Field(
        ge=0,
        le=AMOUNT_MAX,
        description="营业收入（万元）/ annual revenue, 10k CNY",
    )
    size_sector: SizeSector = Field(
        default=SizeSector.industrial,
        description="划型行业 for the 2011 size table; 商贸 firms choose wholesale, retail, …",
    )
    accidents_12m: AccidentRecord = Field(
        default_factory=AccidentRecord,
        description="近 12 个月事故 / accidents of the last 12 months",
    )

    @field_validator("hazards", mode="before")
    @classmethod
    def _no_repeats(cls, value: object) -> object:
        if isinstance(value, list | tuple) and len(set(value)) != len(value):
            raise ValueError("专项重复 / a hazard is listed twice")
        return value

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value: str) -> str:
        value = value.strip().upper()
        if error := check_uscc(value).error:
            raise ValueError(error)
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if error := region_error(value):
            raise ValueError(error)
        return value

    def size_class(self, table: SizeTable = SIZE_TABLE_2011) -> SizeClass:
        """Size class from employees and revenue (工信部联企业〔2011〕300号)."""
        return classify(self.size_sector, self.employees, self.annual_revenue_10k, table)

    def warnings(self) -> list[tuple[str, Message]]:
        """Accepted but noteworthy facts by field, coded: e.g. a pilot USCC that fails the check
        digit."""
        warning = check_uscc(self.uscc).warning
        return [("uscc", warning)] if warning else []

    def applicability_key(self) -> tuple[object, ...]:
        """The facts composition may depend on (identity and accident record excluded)."""
        return (
            self.industry,
            self.hazards,
            self.region,
            self.size_sector,
            self.employees,
            self.annual_revenue_10k,
        )

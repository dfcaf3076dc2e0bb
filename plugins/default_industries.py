"""The eight 工贸 industries (应急厅〔2019〕17号 分类标准; GB/T 4754-2017 divisions).

Divisions for 轻工, 纺织, 烟草 and 商贸 were not retrieved from the 2019 text (domain.md §6, [U]);
they are given here as commonly understood and should be confirmed.
"""

from __future__ import annotations

from collections.abc import Callable

from anbiao.core.catalog import Industry
from anbiao.core.hookspecs import hookimpl
from anbiao.core.models._base import LocalizedText
from anbiao.core.size_class import SizeSector

INDUSTRIES = (
    ("metallurgy", "冶金", "Metallurgy", ("31",), SizeSector.industrial),
    ("nonferrous", "有色", "Non-ferrous metals", ("32",), SizeSector.industrial),
    ("building_materials", "建材", "Building materials", ("30",), SizeSector.industrial),
    (
        "machinery",
        "机械",
        "Machinery",
        ("33", "34", "35", "36", "37", "38", "39", "40", "43"),
        SizeSector.industrial,
    ),
    (
        "light_industry",
        "轻工",
        "Light industry",
        ("13", "14", "15", "19", "20", "21", "22", "23", "24", "29"),
        SizeSector.industrial,
    ),
    ("textile", "纺织", "Textiles", ("17", "18"), SizeSector.industrial),
    ("tobacco", "烟草", "Tobacco", ("16",), SizeSector.industrial),
    ("commerce_trade", "商贸", "Commerce and trade", ("51", "52", "59"), SizeSector.wholesale),
)


@hookimpl
def register_industries(register: Callable[[Industry], None]) -> None:
    for slug, zh, en, divisions, sector in INDUSTRIES:
        register(
            Industry(
                id=slug,
                title=LocalizedText(zh_CN=zh, en=en),
                gb4754_divisions=divisions,
                size_sector=sector,
            )
        )

"""The hazard flags (专项) of 令第10号 第十一条–第十三条 and metal smelting (第三条(三))."""

from __future__ import annotations

from collections.abc import Callable

from anbiao.core.catalog import Hazard
from anbiao.core.hookspecs import hookimpl
from anbiao.core.models._base import LocalizedText

HAZARDS = (
    ("dust_explosion", "粉尘涉爆", "Combustible dust explosion", "令第10号 第十一条; 令第6号"),
    ("ammonia_refrigeration", "涉氨制冷", "Ammonia refrigeration", "令第10号 第十二条"),
    ("confined_space", "有限空间作业", "Confined-space work", "令第10号 第十三条; 令第13号"),
    ("metal_smelting", "金属冶炼", "Metal smelting", "令第10号 第三条(三)"),
)


@hookimpl
def register_hazards(register: Callable[[Hazard], None]) -> None:
    for slug, zh, en, basis in HAZARDS:
        register(Hazard(id=slug, title=LocalizedText(zh_CN=zh, en=en), basis=basis))

import pytest
from pydantic import ValidationError
from support import make_profile

from anbiao.core.errors import Message, ProfileError
from anbiao.core.size_class import SizeClass


def _error(**changes) -> str:
    with pytest.raises(ValidationError) as info:
        make_profile(**changes)
    return str(info.value)


def test_messages_name_the_field_and_what_is_expected():
    assert "uscc" in (msg := _error(uscc="123")) and "18" in msg
    assert "region" in (msg := _error(region="35010")) and "6-digit" in msg
    assert "region" in (msg := _error(region="990102")) and "province" in msg
    assert "employees" in _error(employees=-1)
    assert "industry" in _error(industry="Machinery!")


def test_pilot_code_is_accepted_with_a_warning():
    profile = make_profile(uscc="91350102MA00000153")
    [(field, warning)] = profile.warnings()
    assert field == "uscc" and warning == Message("uscc.check_digit", {"expected": "2"})
    assert str(warning).startswith("check digit mismatch (expected 2)")
    assert make_profile().warnings() == []


def test_lower_case_uscc_is_normalised():
    assert make_profile(uscc="91350102ma00000152").uscc == "91350102MA00000152"


def test_size_class_from_employees_and_revenue():
    assert make_profile(employees=12, annual_revenue_10k=450).size_class() is SizeClass.micro
    assert make_profile(employees=25, annual_revenue_10k=450).size_class() is SizeClass.small
    trade = make_profile(
        industry="commerce_trade", size_sector="retail", employees=12, annual_revenue_10k=450
    )
    assert trade.size_class() is SizeClass.small  # retail: ≥10 people and ≥100 万元


def test_unknown_industry_or_hazard_is_rejected_by_the_engine(mini_engine):
    with pytest.raises(ProfileError, match="unknown industry 'mining'"):
        mini_engine.compose(make_profile(industry="mining"))
    with pytest.raises(ProfileError, match="unknown hazard 'lava'"):
        mini_engine.compose(make_profile(hazards=["lava"]))

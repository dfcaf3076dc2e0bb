import pytest
from support import MINI_PACKS, PACKS, make_profile

from anbiao.core.catalog import PackEntry, ProfileIssue
from anbiao.core.errors import CompositionError, ProfileError
from anbiao.core.hookspecs import hookimpl


def test_base_plus_industry_plus_matching_hazard_module(mini_engine):
    composed = mini_engine.compose(make_profile(hazards=["dust_explosion"]))
    assert [p.id for p in composed.packs] == ["mini", "mini-machinery", "mini-dust"]
    assert "mini-dust.5-5-1.01" in composed.items
    # items of an industry pack merge into the base's element tree by code
    assert [e.code for e in composed.elements] == ["5.1", "5.4", "5.5"]
    assert composed.items["mini-machinery.5-4-1.01"].top == "5.4"


def test_modules_of_other_hazards_and_industries_are_left_out(mini_engine):
    composed = mini_engine.compose(make_profile(industry="textile"))
    assert [p.id for p in composed.packs] == ["mini"]


def test_item_applicability_condition(mini_engine):
    small = mini_engine.compose(make_profile(employees=12))
    large = mini_engine.compose(make_profile(employees=60, annual_revenue_10k=450))
    assert "mini-machinery.5-4-1.02" not in small.items
    assert "mini-machinery.5-4-1.02" in small.not_applicable
    assert "mini-machinery.5-4-1.02" in large.items


def test_overlay_adds_changes_and_excludes(mini_engine):
    plain = mini_engine.compose(make_profile(employees=60))
    fujian = mini_engine.compose(make_profile(region="350102", employees=60))
    assert [p.id for p in fujian.packs][-1] == "mini-fj"
    assert "mini-fj.5-2.01" in fujian.items and "mini-fj.5-2.01" not in plain.items
    assert fujian.items["mini.5-1-1.01"].item.max_score == 20
    assert plain.items["mini.5-1-1.01"].item.max_score == 10
    assert fujian.items["mini.5-1-1.01"].changed_by == ("mini-fj",)
    assert "mini-machinery.5-4-1.02" not in fujian.items
    assert "mini-machinery.5-4-1.02" in fujian.excluded
    assert fujian.scoring.eligibility.apply_percentage == 75
    assert plain.scoring.eligibility.apply_percentage == 70
    assert fujian.procedure.acceptance_working_days == 10


def test_overlay_with_unknown_item_fails_loudly(make_engine, load_checklist_text, tmp_path):
    text = (PACKS / "mini-fj" / "checklist.yaml").read_text(encoding="utf-8")
    bad = load_checklist_text(text.replace("item: mini.5-1-1.01", "item: mini.0-0.00"))
    engine = make_engine(PACKS / "mini", PACKS / "mini-machinery")
    engine.catalog.add_entry(PackEntry(bad, "test", "<test>", "0"))
    with pytest.raises(CompositionError, match=r"unknown item 'mini\.0-0\.00'"):
        engine.compose(make_profile(region="350102"))


def test_fingerprint_is_stable_and_pins_content(make_engine, tmp_path):
    one = make_engine(*MINI_PACKS).compose(make_profile())
    two = make_engine(*MINI_PACKS).compose(make_profile())
    assert one.fingerprint == two.fingerprint and one == two
    changed = tmp_path / "mini"
    changed.mkdir()
    text = (PACKS / "mini" / "checklist.yaml").read_text(encoding="utf-8")
    (changed / "checklist.yaml").write_text(
        text.replace("每缺一次考核记录", "每缺一次记录"), "utf-8"
    )
    other = make_engine(changed, *MINI_PACKS[1:]).compose(make_profile())
    assert other.fingerprint != one.fingerprint
    assert [p.version for p in other.packs] == [p.version for p in one.packs]


def test_compose_is_cached_per_applicability_facts(mini_engine):
    first = mini_engine.compose(make_profile())
    assert mini_engine.compose(make_profile(name="另一家", uscc="92350203MA0000023D")) is first
    assert mini_engine.compose(make_profile(hazards=["dust_explosion"])) is not first


def test_a_stored_profile_is_validated_and_composed_once_per_text(mini_engine, monkeypatch):
    """The hot paths read a stored profile as its JSON text: it gives the profile and the
    composition of validating it, kept by the text (another spelling of the same profile is
    checked again, and refused when the plugins refuse it)."""
    profile = make_profile()
    text = profile.model_dump_json()
    kept, composed = mini_engine.stored_profile(text)
    assert kept == profile and composed is mini_engine.compose(profile)
    checks: list[object] = []

    def refuse(checked):
        checks.append(checked)
        return [ProfileIssue("industry", "no longer offered")]

    monkeypatch.setattr(mini_engine, "check_profile", refuse)
    assert mini_engine.stored_profile(text) == (kept, composed) and not checks
    with pytest.raises(ProfileError):
        mini_engine.stored_profile(profile.model_dump_json(indent=1))
    assert checks == [profile]


def test_applicability_hook_overrides_conditions(make_engine):
    class NoPresses:
        @hookimpl
        def is_item_applicable(self, item, profile):
            return False if item.id == "mini-machinery.5-4-1.01" else None

    engine = make_engine(*MINI_PACKS)
    engine.pm.register(NoPresses(), name="no-presses")
    assert "mini-machinery.5-4-1.01" not in engine.compose(make_profile()).items


def test_exactly_one_base(make_engine):
    with pytest.raises(CompositionError, match="exactly one base"):
        make_engine(PACKS / "mini-machinery").compose(make_profile())

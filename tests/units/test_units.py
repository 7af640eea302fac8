"""Administrative units: the package load, code padding, legacy units, custom hierarchies."""

from sqlalchemy import func, select

from lms.units.models import CURRENT, LEGACY, Unit
from lms.units.services import load_current_units, load_legacy_units, lookup_unit, pad_code


def _count(db, system, kind):
    return db.session.scalar(select(func.count()).select_from(Unit).where(
        Unit.system == system, Unit.kind == kind))


def test_load_current_units_counts_and_idempotence(db):
    """The package gives 34 provinces and 3,321 communes; a second load changes nothing."""
    new, updated = load_current_units()
    db.session.commit()
    assert (new, updated) == (1 + 34 + 3321, 0)
    assert _count(db, CURRENT, "province") == 34
    assert _count(db, CURRENT, "commune") == 3321
    assert load_current_units() == (0, 0)
    ha_tu = lookup_unit("6652")
    assert ha_tu.name == "Phường Hà Tu" and ha_tu.parent.code == "22"
    assert ha_tu.path == f"{ha_tu.parent.path}{ha_tu.id}/"
    assert ha_tu.is_within(lookup_unit("22")) and not ha_tu.is_within(lookup_unit("01"))


def test_legacy_units_load_beside_current(db):
    """The pre-2025 units (63 / 696 / 10,051) load as a separate code system."""
    load_legacy_units()
    db.session.commit()
    assert _count(db, LEGACY, "province") == 63
    assert _count(db, LEGACY, "district") == 696
    assert _count(db, LEGACY, "commune") == 10051
    assert lookup_unit("6652", "commune") is None  # current units not loaded here
    assert lookup_unit("6652", "commune", system=LEGACY) is not None


def test_code_padding(units):
    """`6652` and `06652` name the same commune; `2` and `22` differ (province 02 vs 22)."""
    assert pad_code("6652", "commune") == "06652"
    assert pad_code(22, "province") == "22"
    assert units("6652").id == units("06652").id
    assert units("22").kind == "province"
    assert units("99999") is None


def test_custom_hierarchy_import(runner, db, tmp_path):
    """`lms units import` adds a custom hierarchy; parents must come first."""
    good = tmp_path / "units.csv"
    good.write_text("code,name,kind,parent_code\nR1,Vùng Đông Bắc,region,\n"
                    "R1-A,Cụm biên giới A,cluster,R1\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "units", "import", str(good)])
    assert result.exit_code == 0, result.output
    child = lookup_unit("R1-A", system="custom")
    assert child.parent.code == "R1" and child.path.startswith(child.parent.path)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,kind,parent_code\nX1,,zone,NOPE\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "units", "import", str(bad)])
    assert result.exit_code == 1
    assert "row 2, column name:" in result.output
    assert "row 2, column parent_code:" in result.output
    assert lookup_unit("X1", system="custom") is None

"""Migrations upgrade an empty database to head, matching the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade


def test_upgrade_from_empty_matches_models(app, db, empty_schema):
    """After `upgrade` there is no difference between the migrated schema and the models."""
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_downgrade_to_base_and_back(app, db, empty_schema):
    """Every migration can be reverted and re-applied."""
    upgrade()
    downgrade(revision="base")
    upgrade()

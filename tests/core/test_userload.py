"""The light signed-in user of pages with a companion loader (lms/core/userload.py)."""

import pytest

from lms.accounts.models import User
from lms.core.userload import LIGHT_COLUMNS, LightUser
from tests.conftest import own_request, server_statements


def _light(user: User) -> LightUser:
    return LightUser(*(getattr(user, column.key) for column in LIGHT_COLUMNS))


def test_light_user_answers_like_the_user(app, db, make_user):
    """Identity, role checks and the Flask-Login flags match the ORM user's."""
    user = make_user("trainer", username="hoa", full_name="Nguyễn Thị Hoa")
    db.session.commit()
    light = _light(user)
    for name in ("id", "username", "full_name", "role", "unit_id", "person_id", "is_active",
                 "is_authenticated", "is_anonymous", "role_label"):
        assert getattr(light, name) == getattr(user, name), name
    assert light.get_id() == user.get_id()
    assert light.has_role("trainer", "admin") and not light.has_role("trainee")


def test_other_attributes_load_the_full_user_once(app, db, make_user):
    """Anything else (a relationship, another column) comes from the full User, loaded with
    one query on first use; private names are never forwarded."""
    user = make_user("viewer", username="lan", unit="22")
    db.session.commit()
    user_id, unit_id, created = user.id, user.unit_id, user.created_at
    with own_request(app):
        light = LightUser(user_id, "lan", "", "viewer", unit_id, None, True, 1, False)
        db.session.close()
        with server_statements(db.engine) as statements:
            assert light.unit.id == unit_id and light.created_at == created
            assert light.check_password("sai") is False
        assert statements.count("SELECT") == 2, statements  # the user, then its unit
        with pytest.raises(AttributeError):
            light._sa_instance_state  # noqa: B018
        with pytest.raises(AttributeError):
            light.__html__  # noqa: B018

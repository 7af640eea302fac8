"""`flask lms users create`."""

from lms.accounts.models import User


def test_create_with_password_from_stdin(runner, db, units):
    """The password is read from standard input and not printed."""
    result = runner.invoke(args=["lms", "users", "create", "--username", "hoa", "--role",
                                 "viewer", "--unit", "22", "--full-name", "Lê Thị Hoa"],
                           input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert "a-long-password" not in result.output
    user = db.session.query(User).filter_by(username="hoa").one()
    assert user.check_password("a-long-password") and user.unit.code == "22"


def test_create_generates_and_prints_password(runner, db, units):
    """With empty input a password is generated, printed, and works."""
    result = runner.invoke(args=["lms", "users", "create", "--username", "an", "--role",
                                 "admin"], input="\n")
    assert result.exit_code == 0, result.output
    password = result.output.split("password: ")[1].strip()
    assert db.session.query(User).filter_by(username="an").one().check_password(password)


def test_bad_role_and_unknown_unit_fail(runner, db, units):
    """An unknown role or unit exits non-zero with a clear message."""
    result = runner.invoke(args=["lms", "users", "create", "--username", "x", "--role", "boss"])
    assert result.exit_code != 0 and "boss" in result.output
    result = runner.invoke(args=["lms", "users", "create", "--username", "x", "--role",
                                 "viewer", "--unit", "99999"], input="tham-gia-lop-2025\n")
    assert result.exit_code == 1 and "99999" in result.output
    assert db.session.query(User).count() == 0


def test_duplicate_username_fails(runner, db, units):
    """A second account with the same username is refused."""
    args = ["lms", "users", "create", "--username", "hoa", "--role", "viewer"]
    assert runner.invoke(args=args, input="tham-gia-lop-2025\n").exit_code == 0
    result = runner.invoke(args=args, input="tham-gia-lop-2025\n")
    assert result.exit_code == 1 and "đã tồn tại" in result.output

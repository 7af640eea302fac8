"""A standalone app on its own SQLite file, so backup tests run the same on a PostgreSQL suite."""

import pytest

from lms import create_app


@pytest.fixture
def sqlite_app(tmp_path):
    """Factory: an app on `sqlite:///<tmp>/<name>`; with `schema=True` tables are created and
    stamped at the migrations' head, as `flask lms init` leaves them."""
    from flask_migrate import stamp

    from lms.extensions import db

    made = []

    def make(name: str = "live.db", schema: bool = True, url: str | None = None):
        app = create_app({"SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{tmp_path / name}",
                          "SECRET_KEY": "ops-test", "TESTING": True,
                          "INSTANCE_DIR": str(tmp_path)})
        if schema:
            with app.app_context():
                db.create_all()
                stamp()
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture
def fill(tmp_path):
    """Put units and roster people into an app's database through the services."""
    def run(app, people: int = 40):
        from vietnam_provinces import Province, Ward

        from lms.core.tabular import write_csv
        from lms.extensions import db
        from lms.units import services

        with app.app_context():
            p = next(p for p in Province.iter_all() if int(p.code) == 22)
            specs = [services.UnitSpec("VN", "Việt Nam", "country", None, None),
                     services.UnitSpec("22", p.name, "province", "tinh", "VN")]
            wards = [w for w in Ward.iter_all() if int(w.province_code) == 22][:5]
            for w in wards:
                specs.append(services.UnitSpec(services.pad_code(int(w.code), "commune"),
                                               w.name, "commune", "xa", "22"))
            services.upsert_units("current", specs)
            rows = [[f"B{n:04d}", f"Nguyễn Văn Bình {n}", "Nam", 1980, "cong_an",
                     specs[2 + n % len(wards)].code, "", "Kinh", "có", ""]
                    for n in range(people)]
            services.import_roster(write_csv(services.EXPORT_HEADERS, rows), "b.csv")
            db.session.commit()

    return run

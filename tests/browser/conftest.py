"""Browser journeys: the app served on a free localhost port, driven by Debian's Chromium.

The live app has its own SQLite file with the real units and the demo data (made through the
services), so these tests never touch the suite's `app`/`db` fixtures. Every page records
console errors, uncaught exceptions and Content-Security-Policy violations; a failing test
leaves a screenshot and the page's HTML in tests/_artifacts/.

Set LMS_CHROMIUM to use another Chromium binary. Playwright's own browser download is never
used (`playwright install` is not needed).
"""

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True,
         "user_agent": ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                        "(KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36")}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
JOURNEY_PASSWORD = "hanh-trinh-22"  # noqa: S105 — a throw-away account in a throw-away database
# Reports the page's CSP violations to Python; init scripts and bindings are not subject to
# the page's CSP, so this cannot itself cause a violation.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__lmsCsp(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`
                  + ` at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):  # noqa: ARG001
    """Remember each phase's report on the item, for the screenshot-on-failure teardown."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@dataclass
class LiveServer:
    """The running app: its base URL and the Flask app (for set-up through the services)."""

    url: str
    app: object


@dataclass
class Journal:
    """What the browser reported while a test ran."""

    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)

    def problems(self, allow: tuple[str, ...] = ()) -> list[str]:
        """Console errors, uncaught exceptions and CSP violations, minus `allow` patterns."""
        found = [f"console: {m}" for m in self.console] + \
                [f"exception: {m}" for m in self.page_errors] + [f"csp: {m}" for m in self.csp]
        return [p for p in found if not any(re.search(a, p) for a in allow)]

    def assert_clean(self, allow: tuple[str, ...] = ()) -> None:
        """Fail with the list if anything went wrong in the browser."""
        problems = self.problems(allow)
        assert not problems, "browser reported:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium launched by Playwright, or a skip with the reason."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM} (install Debian's chromium package or "
                    "set LMS_CHROMIUM); browser journeys skipped")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, chromium):  # noqa: ARG001 — no server without a browser
    """The app on a random free port of 127.0.0.1, in a background thread, with demo data."""
    from werkzeug.serving import make_server

    from lms import create_app
    from lms.demo import create_demo
    from lms.extensions import db

    folder = tmp_path_factory.mktemp("browser")
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'browser.db'}",
        "SECRET_KEY": "browser-journeys",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "INSTANCE_DIR": str(folder),
        "JOBS_URL": f"sqlite:///{folder / 'jobs.db'}",   # a queue: journeys run its worker
    })
    with app.app_context():
        db.create_all()
        create_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url=app.config["BASE_URL"], app=app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def journal():
    """Console errors, page exceptions and CSP violations seen during the test."""
    return Journal()


def _open_page(chromium, journal: Journal, options: dict):
    context = chromium.new_context(locale="vi-VN", **options)
    context.expose_binding("__lmsCsp", lambda _source, text: journal.csp.append(text))
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda msg: journal.console.append(f"{msg.text} ({page.url})")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: journal.page_errors.append(str(exc)))
    return context, page


def _finish(request, context, page) -> None:
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        try:
            page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
            (ARTIFACTS / f"{stem}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 — a failed screenshot must not hide the failure
            print(f"screenshot failed: {exc}")
    context.close()


@pytest.fixture
def desktop_page(request, chromium, live_server, journal):  # noqa: ARG001
    """A page in a desktop-sized window."""
    context, page = _open_page(chromium, journal, DESKTOP)
    yield page
    _finish(request, context, page)


@pytest.fixture
def phone_page(request, chromium, live_server, journal):  # noqa: ARG001
    """A page on a phone: 390×844, touch, mobile user agent."""
    context, page = _open_page(chromium, journal, PHONE)
    yield page
    _finish(request, context, page)


@pytest.fixture
def open_page(request, chromium, journal):
    """Factory for journeys with their own server: a page with the given context options
    (default: a phone), journalled and screenshotted on failure like the others."""
    opened = []

    def make(options: dict | None = None):
        context, page = _open_page(chromium, journal, options or PHONE)
        opened.append((context, page))
        return page

    yield make
    for context, page in opened:
        _finish(request, context, page)


@pytest.fixture
def page(phone_page):
    """The default page is a phone's: most trainees and commune staff use one."""
    return phone_page


@pytest.fixture
def login(live_server):
    """Log a page in through the form: login(page, username, password)."""
    def do(page, username: str, password: str) -> None:
        page.goto(f"{live_server.url}/accounts/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert "/accounts/login" not in page.url, page.inner_text("main")

    return do


@pytest.fixture
def viewer_22(live_server):
    """The read-only account for Quảng Ninh (22) that journey (a) creates; made here through
    the services when that journey has not run."""
    from sqlalchemy import select

    from lms.accounts.models import User
    from lms.accounts.services import create_user
    from lms.extensions import db
    from lms.units.services import lookup_unit

    with live_server.app.app_context():
        if db.session.scalar(select(User.id).where(User.username == "viewer22")) is None:
            create_user("viewer22", "viewer", JOURNEY_PASSWORD, full_name="Lê Thị Hoa",
                        unit=lookup_unit("22", "province"))
            db.session.commit()
        db.session.remove()
    return "viewer22"


@pytest.fixture(scope="session")
def loaded_courses(live_server):
    """The live app with the courses of content/ loaded and the demo re-run on top (cohorts,
    enrolments, paper scores, certificates and historical records need courses); idempotent.
    Returns the loaded course slugs, in id order."""
    from sqlalchemy import select

    from lms.courses.loader import load_content
    from lms.courses.models import Course
    from lms.demo import create_demo
    from lms.extensions import db

    with live_server.app.app_context():
        load_content(live_server.app.config["CONTENT_DIR"])
        create_demo()
        db.session.commit()
        slugs = db.session.scalars(select(Course.slug).where(Course.active.is_(True))
                                   .order_by(Course.id)).all()
        db.session.remove()
    assert slugs, "no course in content/"
    return slugs


def journey_commune(index: int):
    """(commune, its roster people by staff id): Quảng Ninh's commune number `index` in code
    order, inside an app context. Each journey takes its own index, so journeys that change
    people never share them."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms.units.models import CURRENT, Person, Unit
    from lms.units.services import lookup_unit

    province = lookup_unit("22", "province")
    commune = db.session.scalars(select(Unit).where(
        Unit.system == CURRENT, Unit.parent_id == province.id).order_by(Unit.code)).all()[index]
    people = db.session.scalars(select(Person).where(Person.commune_id == commune.id)
                                .order_by(Person.staff_id)).all()
    return commune, people


def journey_trainee(index: int, username: str):
    """(person, account): the first roster person of `journey_commune(index)` and a trainee
    account `username` for them (made once, password JOURNEY_PASSWORD), in an app context."""
    from sqlalchemy import select

    from lms.accounts.models import User
    from lms.accounts.services import create_user
    from lms.extensions import db

    commune, (person, *_others) = journey_commune(index)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = create_user(username, "trainee", JOURNEY_PASSWORD, full_name=person.full_name,
                           unit=commune, person=person)
    return person, user

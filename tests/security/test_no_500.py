"""No 500 from input: every route of the URL map, every method, as anonymous, trainee, trainer
and admin, gets generated bad values (hypothesis) in each URL argument, each query or form key
its view reads and each field of the forms the site shows, and JSON bodies of every shape;
no answer may be a 5xx (nor an exception, which the test client re-raises).

New routes are covered without listing them: the keys a view reads are found in its source
(`request.args.get("x")`, `args["x"]`, `getlist`, `id_arg("x")`, in the view and the helpers
of its module it calls), the fields of forms in the pages every GET returned (their `action`
names the route), and a URL argument is filled from the demo world by its name, or fuzzed.
"""

import ast
import contextlib
import inspect
import io
import json
import re
import textwrap
import urllib.parse
from html.parser import HTMLParser

from flask import request
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from lms import create_app
from lms.accounts import joining
from lms.accounts.models import JoinRequest, User
from lms.assessments.services import QuizError, start_attempt
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, CohortMember, CohortSession
from lms.core.params import takes_json
from lms.courses.loader import load_content
from lms.courses.models import Course
from lms.demo import DEMO_PASSWORD, create_demo
from lms.extensions import db as _db
from lms.units.models import Person
from lms.units.services import add_position_alias

ROLES = ("anonymous", "trainee", "trainer", "admin")
# Values that broke, or could break, a parser: other scripts' digits, superscripts, signs,
# exponents, overflow, dates that are not, markup, very long text.
NASTY = [
    "", " ", "0", "-1", "-0", "²", "١٢", "１２", "①", "٣/٤", "1e3", "1.5", "1,5", "0x1f",
    "1_000", "+7", "2147483648", "9" * 30, "-" + "9" * 30, "nan", "inf", "-inf", "None",
    "null", "true", "[]", "{}", "'", '"', "<b>", "%", "%00", "../..", "\\", "2025-13-45",
    "31/02/2025", "٢٠٢٥-٠٨-٠١", "99:99", "٠٨:٠٠", "followup²", "followup١٢", "a" * 3000,
    "😀", "\u202e", "Đ", "12abc", "\t1\t", "\x00", "a\x00b",
]
BAD_TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=12),
                     st.integers(-(10**20), 10**20).map(str))
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20),
              st.floats(allow_nan=False), BAD_TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=8)
# Run last: they remove the objects (or the session) the other routes are tried on.
DESTRUCTIVE = re.compile(r"delete|remove|anonymise|revoke|close|reopen|decide|logout")
EXAMPLES = 5
# Each broke a route on its own (isdigit() then int(); an id no column holds): every route is
# also sent every key, then every URL argument, set to each.
TRAPS = ("²", "9" * 30)
ARG = re.compile(r"<(?:([a-zA-Z_]+)(?:\([^)]*\))?:)?([a-zA-Z_]+)>")


# --- discovering what a view reads ------------------------------------------------------------

def _keys_in(func, module_functions: dict, seen: set) -> set[str]:
    """String keys that `func` (and the module's functions it calls) read with `.get`,
    `.getlist`, `[...]` or `id_arg`."""
    if func in seen:
        return set()
    seen.add(func)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError):
        return set()
    keys = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
                node.func, "id", "")
            if name in ("get", "getlist", "id_arg") or name in module_functions:
                keys.add(node.args[0].value)
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                and isinstance(node.slice.value, str):
            keys.add(node.slice.value)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in module_functions:
            keys |= _keys_in(module_functions[node.func.id], module_functions, seen)
    return keys


def view_keys(view) -> tuple[set[str], bool]:
    """The request keys `view` reads, and whether it takes a JSON body."""
    takes_json = getattr(view, "takes_json", False)
    view = inspect.unwrap(view)
    module = inspect.getmodule(view)
    functions = {n: f for n, f in vars(module).items()
                 if inspect.isfunction(f) and f.__module__ == module.__name__}
    return _keys_in(view, functions, set()), takes_json


class _Forms(HTMLParser):
    """The POST forms of a page: action → field names (and which take files)."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = {"action": attrs.get("action") or "", "fields": set(),
                             "files": set()}
            self.forms.append(self._current)
        elif tag in ("input", "select", "textarea", "button") and self._current is not None:
            name = attrs.get("name")
            if name and name != "csrf_token":
                kind = "files" if attrs.get("type") == "file" else "fields"
                self._current[kind].add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


# --- the world and the clients ----------------------------------------------------------------

def build_world(app, units) -> dict:
    """The demo (roster, four logins, courses, cohorts, certificates) plus an open attempt, an
    open join code and request, and a position alias; returns a value for each URL argument."""
    load_content(app.config["CONTENT_DIR"])
    create_demo()
    db = _db
    trainer = db.session.scalar(select(User).where(User.username == "trainer"))
    trainee = db.session.scalar(select(User).where(User.username == "trainee"))
    viewer = db.session.scalar(select(User).where(User.username == "viewer"))
    cohort = db.session.scalar(select(Cohort).where(Cohort.status != "closed")
                               .order_by(Cohort.id))
    member = db.session.scalar(select(CohortMember).where(CohortMember.cohort_id == cohort.id)
                               .order_by(CohortMember.id.desc()))
    session = db.session.scalar(select(CohortSession)
                                .where(CohortSession.cohort_id == cohort.id))
    attempt = None
    for course in db.session.scalars(select(Course).order_by(Course.slug)):
        with contextlib.suppress(QuizError):
            attempt = attempt or start_attempt(trainee.person, course, "final", by=trainee)
    course = attempt.course
    db.session.commit()
    code = joining.open_code(cohort, by=trainer)
    claimant = db.session.scalar(select(Person).where(Person.staff_id == "QN00030"))
    join_request = JoinRequest(cohort_id=cohort.id, person_id=claimant.id, check_number="1234")
    db.session.add(join_request)
    alias = add_position_alias("Thôn đội trưởng", "truong_thon", by=None)
    certificate = db.session.scalar(select(Certificate).order_by(Certificate.id))
    db.session.commit()
    other = db.session.scalar(select(Person).where(Person.staff_id == "QN00040"))
    return {
        "user_id": viewer.id, "cohort_id": cohort.id, "member_id": member.id,
        "session_id": session.id, "request_id": join_request.id, "person_id": other.id,
        "alias_id": alias.id, "attempt_id": attempt.id, "cert_id": certificate.id,
        "slug": course.slug, "lesson_slug": course.active_lessons[0].slug, "kind": "final",
        "code": {"core.set_language": "vi", "accounts.join": code, "units.roster": "22",
                 "units.roster_export": "22", "verify.page": certificate.code,
                 "verify.api": certificate.code}, "staff_id": other.staff_id, "filename": "x.png",
        "decision": "confirm", "fmt": "csv",
    }


def clients(app) -> dict:
    """A test client per role, signed in as the demo user of that role."""
    out = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            page = client.get("/accounts/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            response = client.post("/accounts/login", data={
                "username": role, "password": DEMO_PASSWORD, "csrf_token": token})
            assert response.status_code == 302, role
        out[role] = client
    return out


def _token(client) -> str:
    """A CSRF token of the client's session (the password form, or the sign-in form)."""
    page = client.get("/accounts/password", follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


# --- the sweep --------------------------------------------------------------------------------

def _url(rule, world: dict, draw=None, trap: str | None = None) -> str:
    """The rule's path with each argument the world's value for its name, or (with `draw`)
    that or a bad one, or (with `trap`) that value."""
    def fill(match):
        converter, name = match.group(1) or "default", match.group(2)
        known = world.get(name, "x")
        if isinstance(known, dict):
            known = known.get(rule.endpoint, "x")
        if converter == "any":
            known = sorted(rule._converters[name].items)[0]
        # Mostly the world's value, so that most requests get past the lookup to the parsing.
        fuzz = draw is not None and draw(st.integers(0, 3)) == 0
        value = trap if trap is not None else draw(BAD_TEXT) if fuzz else str(known)
        return urllib.parse.quote(value, safe="/" if converter == "path" else "")

    return ARG.sub(fill, rule.rule)


def _params(keys, draw) -> dict:
    return {key: value for key in sorted(keys)
            if (value := draw(st.one_of(st.none(), BAD_TEXT))) is not None}


def sweep_rule(app, rule, method, client, role, world, forms, examples=EXAMPLES) -> str | None:
    """Fuzz one (rule, method) as one role; the first 5xx or exception, described, or None."""
    keys, reads_json = view_keys(app.view_functions[rule.endpoint])
    keys |= forms.get(rule.endpoint, {}).get("fields", set())
    files = forms.get(rule.endpoint, {}).get("files", set())
    token = _token(client) if method == "POST" else None

    @settings(max_examples=examples, deadline=None, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(st.data())
    def attack(data):
        draw = data.draw
        url = _url(rule, world, draw)
        query = _params(keys, draw)
        kwargs = {}
        if method == "POST":
            # Any route may be sent JSON (Flask-WTF would read it as the form's data).
            if draw(st.integers(0, 3)) == 0 or (reads_json and draw(st.booleans())):
                body = draw(st.one_of(JSON_VALUE, st.fixed_dictionaries(
                    {}, optional={k: JSON_VALUE for k in sorted(keys)})))
                kwargs = {"data": json.dumps(body), "content_type": "application/json",
                          "headers": {"X-CSRFToken": token}}
            else:
                form = {**_params(keys, draw), "csrf_token": token}
                for name in files:
                    content = draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=40)))
                    form[name] = (io.BytesIO(content.encode()), draw(st.sampled_from(
                        ["x.csv", "x.xlsx", "x", "x.exe"])))
                kwargs = {"data": form}
        _send(client, role, method, url, query, kwargs)

    try:
        for trap in TRAPS:
            for url, values in ((_url(rule, world), dict.fromkeys(keys, trap)),
                                (_url(rule, world, trap=trap), {})):
                form = {"data": {**values, "csrf_token": token}} if method == "POST" else {}
                _send(client, role, method, url, values, form)
        attack()
    except AssertionError as exc:
        return str(exc).splitlines()[0]
    return None


def _send(client, role, method, url, query, kwargs) -> None:
    """One request; an AssertionError describing it on a 5xx or an exception."""
    where = f"{role} {method} {url} query={query!r} {str(kwargs.get('data'))[:300]}"
    try:
        response = client.open(url, method=method, query_string=query, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the test client re-raises a view's error
        raise AssertionError(f"{where}: {type(exc).__name__}: {exc}") from exc
    assert response.status_code < 500, f"{where}: {response.status_code}"


def harvest_forms(app, clients_by_role, world) -> dict:
    """Every POST form shown by a GET of a route (valid URL values), by the endpoint it posts
    to: the field names the sweep then fills with bad values."""
    adapter = app.url_map.bind("lms.test")
    found: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "assets"):
            continue
        url = _url(rule, world)
        for client in clients_by_role.values():
            response = client.get(url)
            if "html" not in (response.content_type or ""):
                continue
            parser = _Forms()
            parser.feed(response.get_data(as_text=True))
            for form in parser.forms:
                path = urllib.parse.urlsplit(form["action"] or url).path
                try:
                    endpoint, _args = adapter.match(path, method="POST")
                except HTTPException:  # a form posting elsewhere than a route
                    continue
                entry = found.setdefault(endpoint, {"fields": set(), "files": set()})
                entry["fields"] |= form["fields"]
                entry["files"] |= form["files"]
    return found


def run_sweep(app, clients_by_role, world, rules=None, examples=EXAMPLES) -> list[str]:
    """The 5xx found over `rules` (default: the whole URL map), all methods, every role."""
    forms = harvest_forms(app, clients_by_role, world) if rules is None else {}
    rules = [r for r in (rules or app.url_map.iter_rules())
             if r.endpoint not in ("static", "assets")]
    jobs = [(rule, method) for rule in rules for method in sorted(rule.methods)
            if method in ("GET", "POST")]
    jobs.sort(key=lambda job: (job[1] == "POST" and bool(DESTRUCTIVE.search(job[0].endpoint)),
                               "logout" in job[0].endpoint))
    failures = []
    for rule, method in jobs:
        for role, client in clients_by_role.items():
            found = sweep_rule(app, rule, method, client, role, world, forms, examples)
            if found:
                failures.append(found)
    return failures


def test_no_route_answers_5xx_to_bad_input(app, units):
    """Bad values in every URL argument, query and form key and JSON body of every route, for
    each role, never give a 5xx."""
    world = build_world(app, units)
    failures = run_sweep(app, clients(app), world)
    assert not failures, "\n".join(failures)


def test_the_sweep_catches_a_500(tmp_path):
    """A route that parses a query number with int() and one that trusts its JSON body's
    shape are both reported by the sweep (the exception the test client re-raises counts)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "INSTANCE_DIR": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'self.db'}"})

    @app.route("/_broken/number")
    def broken_number():
        return str(int(request.args.get("n", "0")) + 1)

    @app.route("/_broken/json", methods=["POST"])
    @takes_json
    def broken_json():
        return str(request.get_json()["k"] + 1)

    with app.app_context():
        _db.create_all()
        rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/_broken/")]
        failures = run_sweep(app, {"anonymous": app.test_client()}, {}, rules=rules,
                             examples=30)
        _db.drop_all()
        _db.session.remove()
        _db.engine.dispose()
    assert [f.split()[2].split("?")[0] for f in failures] == ["/_broken/number",
                                                                "/_broken/json"], failures

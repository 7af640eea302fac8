"""Navigation by role, and small template helpers shared by every room."""

from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# (endpoint, label, roles). Entries whose endpoint is not registered are skipped.
NAV = [
    ("courses.dashboard", _l("Khóa học của tôi"), ("trainee",)),
    ("courses.catalogue", _l("Danh mục khóa học"), ("trainee", "trainer", "admin", "viewer")),
    ("certificates.mine", _l("Chứng nhận của tôi"), ("trainee",)),
    ("cohorts.index", _l("Lớp tập huấn"), ("trainer", "admin", "viewer")),
    ("reports.coverage", _l("Báo cáo độ bao phủ"), ("viewer", "admin", "trainer")),
    ("reports.untrained_list", _l("Người chưa tập huấn"), ("viewer", "admin", "trainer")),
    ("assessments.gain", _l("Mức tăng kiến thức"), ("viewer", "admin", "trainer")),
    ("units.roster", _l("Danh sách nhân sự"), ("admin", "trainer", "viewer")),
    ("certificates.index", _l("Chứng nhận"), ("admin", "trainer")),
    ("accounts.users", _l("Tài khoản"), ("admin",)),
    ("accounts.audit_log", _l("Nhật ký"), ("admin",)),
]


def nav_items() -> list[dict]:
    """The links the current user may follow, in menu order.

    Built once per (role, script root, language) and process: the URL map and the catalogues do
    not change while the app runs.
    """
    if not current_user.is_authenticated:
        return []
    cache = current_app.extensions.setdefault("core.nav", {})
    key = (current_user.role, request.script_root, str(get_locale()))
    items = cache.get(key)
    if items is None:
        views = current_app.view_functions
        items = [{"url": url_for(endpoint), "label": str(label)} for endpoint, label, roles in NAV
                 if current_user.role in roles and endpoint in views]
        cache[key] = items
    return items


def page_url(page: int) -> str:
    """The current URL with `page` replaced, keeping every filter."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": page}
    return url_for(request.endpoint, **args)


def init_app(app) -> None:
    """Expose the helpers to templates."""
    app.jinja_env.globals.update(nav_items=nav_items, page_url=page_url)

"""Configuration: defaults here, overridden by LMS_* environment variables, then by create_app()."""

import os
import secrets
from pathlib import Path


def instance_secret(instance_path: str) -> str:
    """Return the secret key kept in instance/secret_key, creating it once."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written 0600: the key signs sessions and CSRF tokens.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def default_database_url(instance_path: str) -> str:
    """The SQLite file in the instance folder, used when LMS_DATABASE_URL is not set."""
    return f"sqlite:///{Path(instance_path) / 'lms.db'}"


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _proxy_count(value: str | None) -> int:
    """LMS_PROXY_FIX: how many reverse proxies sit in front of the app (0, 1, 2…)."""
    if value is None or not value.strip():
        return 0
    if not value.strip().isdigit():
        raise ValueError(f"LMS_PROXY_FIX must be a number of proxies (0, 1, 2…), not {value!r}")
    return int(value)


def _percent_decimals(value: str | None) -> int:
    """LMS_PERCENT_DECIMALS: decimals shown in percentages, 0 to 2 (default 1; coverage
    ratios carry 4 decimals)."""
    if value is None or not value.strip():
        return Config.PERCENT_DECIMALS
    if value.strip() not in {"0", "1", "2"}:
        raise ValueError(f"LMS_PERCENT_DECIMALS must be 0, 1 or 2, not {value!r}")
    return int(value)


class Config:
    """Defaults; `from_env` applies LMS_* variables on top."""

    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # pool settings (pool_pre_ping is added off SQLite)
    BASE_URL = "http://127.0.0.1:5000"
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a form filled slowly in a commune hall must still submit
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    VERIFY_RATE_LIMIT = "60 per minute"
    LOGIN_MAX_FAILURES = 5
    LOGIN_WINDOW_MINUTES = 15
    LOGIN_LOCK_MINUTES = 15
    LOGIN_IP_MAX_FAILURES = 30
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name; old hashes upgrade at sign-in
    OTP_HASH_METHOD = "scrypt:2048:8:1"  # one-time passwords (see lms/accounts/passwords.py)
    OTP_HASH_THREADS = os.cpu_count() or 1
    OTP_LENGTH = 8
    OTP_VALID_DAYS = 30
    SESSION_IDLE_MINUTES = 120  # a session unused this long ends
    SESSION_MAX_HOURS = 12  # a session ends this long after sign-in, however active
    JOIN_RATE_LIMIT = "10 per minute"  # the public join page, per client address
    CONTENT_DIR = str(Path(__file__).resolve().parent.parent / "content")
    AGENCY_NAME = "Sở Y tế"
    PARENT_AGENCY_NAME = "Ủy ban nhân dân tỉnh"
    # The coverage report's official layout (lms/core/officialdoc.py); the agency, place and
    # head-of-unit signer come from the issuer settings the admin edits.
    AGENCY_SYMBOL = "SYT"  # the agency's part of the ký hiệu: "Số: ……/BC-SYT"
    REPORT_RECIPIENTS = "Bộ Y tế (để báo cáo);Ủy ban nhân dân tỉnh (để báo cáo);Lưu: VT"
    REPORT_PREPARER_TITLE = "Người lập báo cáo"
    REPORT_PREPARER_NAME = ""
    TIMEZONE = "Asia/Ho_Chi_Minh"
    QUIZ_GRACE_SECONDS = 30  # a submission this late after the deadline still counts saved answers
    PERCENT_DECIMALS = 1  # decimals of every percentage shown (pages, PDF, XLSX format)
    ITEM_MIN_RESPONSES = 30  # item analysis flags an item only with at least this many responses
    PROXY_FIX = 0  # reverse proxies in front of the app whose X-Forwarded-* headers are trusted
    BENCH_ENDPOINTS = False  # /_bench/bare for the load test only (bench/load.py sets it)
    DHIS2_DATA_SET = ""  # the dataSet code written in DHIS2 exports (lms/reports/dhis2.py)

    @classmethod
    def from_env(cls, instance_path: str) -> dict:
        """Build the configuration dict from defaults and LMS_* variables (reads, never writes)."""
        env = os.environ
        cfg = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        cfg["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
            env.get("LMS_DATABASE_URL", default_database_url(instance_path))
        )
        cfg["SECRET_KEY"] = env.get("LMS_SECRET_KEY")  # None: create_app uses instance_secret
        cfg["BASE_URL"] = env.get("LMS_BASE_URL", cls.BASE_URL).rstrip("/")
        cfg["BABEL_DEFAULT_LOCALE"] = env.get("LMS_DEFAULT_LOCALE", cls.BABEL_DEFAULT_LOCALE)
        cfg["RATELIMIT_STORAGE_URI"] = env.get("LMS_RATELIMIT_STORAGE_URI",
                                               cls.RATELIMIT_STORAGE_URI)
        cfg["CONTENT_DIR"] = env.get("LMS_CONTENT_DIR", cls.CONTENT_DIR)
        cfg["AGENCY_NAME"] = env.get("LMS_AGENCY_NAME", cls.AGENCY_NAME)
        cfg["PARENT_AGENCY_NAME"] = env.get("LMS_PARENT_AGENCY_NAME", cls.PARENT_AGENCY_NAME)
        for key in ("AGENCY_SYMBOL", "REPORT_RECIPIENTS", "REPORT_PREPARER_TITLE",
                    "REPORT_PREPARER_NAME"):
            cfg[key] = env.get(f"LMS_{key}", getattr(cls, key))
        cfg["QUIZ_GRACE_SECONDS"] = int(env.get("LMS_QUIZ_GRACE_SECONDS",
                                                cls.QUIZ_GRACE_SECONDS))
        cfg["ITEM_MIN_RESPONSES"] = int(env.get("LMS_ITEM_MIN_RESPONSES",
                                                cls.ITEM_MIN_RESPONSES))
        cfg["PERCENT_DECIMALS"] = _percent_decimals(env.get("LMS_PERCENT_DECIMALS"))
        cfg["SESSION_COOKIE_SECURE"] = _bool(
            env.get("LMS_SECURE_COOKIES"), cfg["BASE_URL"].startswith("https://")
        )
        cfg["PROXY_FIX"] = _proxy_count(env.get("LMS_PROXY_FIX"))
        cfg["BENCH_ENDPOINTS"] = _bool(env.get("LMS_BENCH_ENDPOINTS"), False)
        cfg["JOBS_URL"] = env.get("LMS_JOBS_URL", "")   # lms/core/jobs.py
        for key in ("PASSWORD_HASH_METHOD", "OTP_HASH_METHOD", "JOIN_RATE_LIMIT",
                    "DHIS2_DATA_SET"):
            cfg[key] = env.get(f"LMS_{key}", getattr(cls, key))
        for key in ("OTP_VALID_DAYS", "OTP_HASH_THREADS", "SESSION_IDLE_MINUTES",
                    "SESSION_MAX_HOURS"):
            cfg[key] = int(env.get(f"LMS_{key}", getattr(cls, key)))
        return cfg

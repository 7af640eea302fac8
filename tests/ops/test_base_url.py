"""The address in QR codes and slips (LMS_BASE_URL) against the address the site is reached at."""

import logging
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_request_at_another_address_is_warned_about_once(app, client, caplog):
    """The first request that reaches the app elsewhere than LMS_BASE_URL logs one warning
    naming both addresses; later requests add none."""
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        client.get("/healthz", base_url="http://127.0.0.1:8000")
        client.get("/healthz", base_url="http://127.0.0.1:8000")
    warnings = [r.getMessage() for r in caplog.records if "LMS_BASE_URL" in r.getMessage()]
    assert len(warnings) == 1
    assert "http://lms.test" in warnings[0] and "http://127.0.0.1:8000" in warnings[0]


def test_no_warning_at_the_configured_address(app, client, caplog):
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        client.get("/healthz", base_url="http://lms.test")
    assert not [r for r in caplog.records if "LMS_BASE_URL" in r.getMessage()]


def test_make_run_points_links_at_the_port_it_serves():
    """`make run PORT=…` serves with LMS_BASE_URL at that address unless it is already set."""
    def base_url(*args, env=None):
        out = subprocess.run(["make", "-s", "--eval", "show-base-url: ; @echo $$LMS_BASE_URL",
                              *args, "show-base-url"], cwd=ROOT, capture_output=True,
                             text=True, env=env, check=True)
        return out.stdout.strip()

    assert base_url("PORT=8080", env={"PATH": "/usr/bin:/bin"}) == "http://127.0.0.1:8080"
    assert base_url(env={"PATH": "/usr/bin:/bin", "LMS_BASE_URL": "https://x.vn"}) \
        == "https://x.vn"

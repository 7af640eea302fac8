"""The browser harness skips with a clear reason when there is no Chromium."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(120)
def test_skips_clearly_without_chromium(tmp_path):
    """With LMS_CHROMIUM pointing nowhere, the journeys skip (not fail) and say why."""
    missing = tmp_path / "no-chromium"
    env = dict(os.environ, LMS_CHROMIUM=str(missing))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "tests/browser/test_journeys.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 skipped" in result.stdout
    assert f"Chromium not found at {missing}" in result.stdout

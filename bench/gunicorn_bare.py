"""The app's gunicorn settings (gunicorn.conf.py) for bench/bare_app.py.

Everything but the app's post_fork hook, which disposes the app's database engines (the bare
app has none), so that the app and its baseline run on the same settings.
"""

from pathlib import Path
from runpy import run_path

_SETTINGS = run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
globals().update({name: value for name, value in _SETTINGS.items()
                  if not name.startswith("_") and name != "post_fork"
                  and not callable(value) and not hasattr(value, "__spec__")})

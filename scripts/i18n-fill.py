"""Fill English translations from a JSON file {msgid: translation} into the en catalogue.

Usage: .venv/bin/python scripts/i18n-fill.py FILE.json  (then `make translations`)
"""

import json
import sys

from babel.messages.pofile import read_po, write_po

PO = "lms/translations/en/LC_MESSAGES/messages.po"

with open(sys.argv[1], encoding="utf-8") as fh:
    wanted = json.load(fh)
with open(PO, "rb") as fh:
    catalog = read_po(fh)
filled = 0
for message in catalog:
    if message.id in wanted:
        message.string = wanted[message.id]
        filled += 1
with open(PO, "wb") as fh:
    write_po(fh, catalog, width=100)
print(f"filled {filled} of {len(wanted)}")

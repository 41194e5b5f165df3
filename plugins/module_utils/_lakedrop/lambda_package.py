# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A reproducible zip for a Lambda function (module lambda_package); no AWS call.

Pure functions first (validate, the archive's bytes, result; unit-tested), then the flow, which reads
the sources and the current archive and writes the new one, through `run(module)`.
"""

import base64
import hashlib
import io
import os
import zipfile

# Zip cannot store dates before 1980; any fixed date works as long as it never changes.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)

# --- pure --------------------------------------------------------------------------------------------


def validate(params, region=None):
    """Every problem with the arguments, as messages (sources that are no files, names that would
    collide, a destination directory that does not exist); nothing is written before this is empty."""
    found, names = [], {}
    for path in params["src"]:
        if not os.path.isfile(path):
            found.append(f"src {path} is not a readable file.")
            continue
        name = os.path.basename(path)
        if name in names:
            found.append(f"src {path} and {names[name]} would both be stored as {name}.")
        names[name] = path
    directory = os.path.dirname(os.path.abspath(params["dest"]))
    if not os.path.isdir(directory):
        found.append(f"dest directory {directory} does not exist.")
    return found


def build(files):
    """The archive's bytes for [(name, content)], independent of order, dates and modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the recorded mode means the same everywhere
            archive.writestr(info, content)
    return buffer.getvalue()


def sha256(data):
    """Hex SHA-256 of `data`, None for no data (no archive yet)."""
    return hashlib.sha256(data).hexdigest() if data is not None else None


def result(dest, files, data, current):
    """The module's result for archive `data` built from `files`, where `dest` holds `current` (or None)."""
    digest = hashlib.sha256(data)
    return dict(
        changed=current != data,
        dest=dest,
        sha256=digest.hexdigest(),
        code_sha256=base64.b64encode(digest.digest()).decode(),
        size=len(data),
        files=sorted(name for name, _content in files),
        diff=dict(before={"sha256": sha256(current)}, after={"sha256": digest.hexdigest()}),
    )


# --- flow: read the sources and the archive, write it when it changes --------------------------------


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def write(dest, data):
    """Replace `dest` atomically, so a reader never sees half an archive."""
    tmp = f"{dest}.tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, dest)


def run(module):
    dest = module.params["dest"]
    files = [(os.path.basename(path), read(path)) for path in module.params["src"]]
    data = build(files)
    found = result(dest, files, data, read(dest) if os.path.exists(dest) else None)
    if found["changed"] and not module.check_mode:
        write(dest, data)
    return found

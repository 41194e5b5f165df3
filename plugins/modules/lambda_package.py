#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lambda_package
short_description: Build a reproducible zip for an AWS Lambda function
version_added: 0.1.0
description:
  - Writes the given files into a zip whose bytes depend only on the files' names and contents, so
    the same source always gives the same archive and the same Lambda C(CodeSha256). Timestamps, file
    modes and entry order are fixed; a checkout's file dates do not leak into the archive.
  - The archive is rewritten only when its content would change, so M(amazon.aws.lambda) sees the
    same checksum and reports no change on a re-run.
  - General-purpose archive modules stamp each entry with the file's modification time, which differs
    between checkouts; that is why this module exists.
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
options:
  src:
    description:
      - Files to put at the root of the archive, in any order.
    type: list
    elements: path
    required: true
  dest:
    description: Path of the zip to write. Its directory must exist.
    type: path
    required: true
notes:
  - Supports check mode and diff mode.
"""

EXAMPLES = r"""
- name: Package the upload trigger
  lakedrop.delivery.lambda_package:
    src:
      - "{{ role_path }}/files/lakedrop_trigger.py"
    dest: /tmp/lakedrop_trigger.zip
  register: trigger_zip

- name: Show Lambda's checksum of it
  ansible.builtin.debug:
    msg: "{{ trigger_zip.code_sha256 }}"
"""

RETURN = r"""
dest:
  description: Path of the archive.
  returned: always
  type: str
sha256:
  description: Hex SHA-256 of the archive.
  returned: always
  type: str
code_sha256:
  description: Base64 SHA-256 of the archive, the form Lambda reports as C(CodeSha256).
  returned: always
  type: str
  sample: 3Q2+5KvI0X2hVvGf3Z6l1S1sOn0ZeQ0dK4v2F2a8y8w=
size:
  description: Size of the archive in bytes.
  returned: always
  type: int
files:
  description: Names of the entries in the archive.
  returned: always
  type: list
  elements: str
"""

import base64
import hashlib
import io
import os
import zipfile

from ansible.module_utils.basic import AnsibleModule

# Zip cannot store dates before 1980; any fixed date works as long as it never changes.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


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


def problems(sources):
    found = []
    names = {}
    for path in sources:
        if not os.path.isfile(path):
            found.append(f"src {path} is not a readable file.")
            continue
        name = os.path.basename(path)
        if name in names:
            found.append(f"src {path} and {names[name]} would both be stored as {name}.")
        names[name] = path
    return found


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="list", elements="path", required=True), dest=dict(type="path", required=True)
        ),
        supports_check_mode=True,
    )
    sources, dest = module.params["src"], module.params["dest"]
    found = problems(sources)
    if not os.path.isdir(os.path.dirname(os.path.abspath(dest))):
        found.append(f"dest directory {os.path.dirname(os.path.abspath(dest))} does not exist.")
    if found:
        module.fail_json(msg=" ".join(found), problems=found)
    files = []
    for path in sources:
        with open(path, "rb") as handle:
            files.append((os.path.basename(path), handle.read()))
    data = build(files)
    current = None
    if os.path.exists(dest):
        with open(dest, "rb") as handle:
            current = handle.read()
    changed = current != data
    if changed and not module.check_mode:
        tmp = f"{dest}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, dest)
    digest = hashlib.sha256(data)
    result = dict(
        changed=changed,
        dest=dest,
        sha256=digest.hexdigest(),
        code_sha256=base64.b64encode(digest.digest()).decode(),
        size=len(data),
        files=sorted(name for name, _content in files),
    )
    if module._diff:
        before = hashlib.sha256(current).hexdigest() if current is not None else None
        result["diff"] = dict(before={"sha256": before}, after={"sha256": result["sha256"]})
    module.exit_json(**result)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
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
extends_documentation_fragment: [lakedrop.delivery.lakedrop]
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import lambda_package
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    src=dict(type="list", elements="path", required=True),
    dest=dict(type="path", required=True),
)


def main():
    run_module(ARGUMENT_SPEC, lambda_package.run, lambda_package.validate, module_class=AnsibleModule)


if __name__ == "__main__":
    main()

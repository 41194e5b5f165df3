# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tail every lakedrop.delivery module shares, and the one rule for errors.

The rule: nothing below a module file calls `fail_json`. What the user must act on (bad arguments, an
ambiguous identity, a field AWS cannot change in place, a resource that does not exist) is raised as
`Failure`, from pure code and flows alike; AWS errors come from the API layer's error handlers as
`AnsibleAWSError`. `run()` turns the first into `fail_json` and the second into `fail_json_aws_error`,
keeps the diff only under `--diff`, and exits. `run_module()` is a module file's whole `main()`.
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule


class Failure(Exception):
    """A failure to report as it is: `msg` for the user, `result` for extra keys of the module's result
    (for example `problems`, or `changed=True` and the resource when a write already happened)."""

    def __init__(self, msg, **result):
        super().__init__(msg)
        self.msg = msg
        self.result = result


def require(problems):
    """Raise one Failure listing every problem (None entries are skipped); nothing happens when there are none."""
    problems = [p for p in problems if p]
    if problems:
        raise Failure(" ".join(problems), problems=problems)


def run(module, flow, validate=None):
    """Check the arguments with `validate(params, region)` (a list of problems) before any call, then run
    `flow(module)` (the result dict, with `diff` when there is one) and report it."""
    try:
        if validate is not None:
            require(validate(module.params, getattr(module, "region", None)))  # a non-AWS module has none
        result = flow(module)
    except Failure as err:
        module.fail_json(msg=err.msg, **err.result)
    except AnsibleAWSError as err:
        module.fail_json_aws_error(err)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


def run_module(argument_spec, flow, validate=None, module_class=AnsibleAWSModule, **module_args):
    """Build the module (an AnsibleAWSModule unless told; every module supports check mode) from its spec and
    `module_args` (mutually_exclusive, required_if, ...), then `run` it."""
    run(module_class(argument_spec=argument_spec, supports_check_mode=True, **module_args), flow, validate)

# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs on the controller: waits for DataSync task executions, printing one line per poll (status, files,
bytes), by running lakedrop.delivery.datasync_task_execution_info with the play's connection
(`lakedrop_aws_connection`). An `until` loop would print nothing until it ends. On timeout it fails naming
what is still running and the exact command that cancels it; it never cancels anything itself."""

import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import runbooks

display = Display()
INFO = "lakedrop.delivery.datasync_task_execution_info"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("task_execution_arns", "label", "wait_timeout", "poll_interval"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        arns = [a for a in args.get("task_execution_arns") or [] if a]
        label = args.get("label") or "delivery"
        timeout, interval = float(args.get("wait_timeout", 1800)), float(args.get("poll_interval", 10))
        connection = self._templar.template(task_vars.get("lakedrop_aws_connection") or {})
        if not arns or self._task.check_mode:
            return dict(result, changed=False, executions=[], succeeded=True, summaries=[])
        started, shown = time.monotonic(), {}
        while True:
            answer = self._execute_module(
                module_name=INFO, module_args=dict(connection, task_execution_arns=arns), task_vars=task_vars
            )
            if answer.get("failed"):
                return dict(result, failed=True, msg=answer.get("msg"), executions=[])
            executions = answer.get("executions") or []
            elapsed = time.monotonic() - started
            for execution in executions:
                line = runbooks.progress_line(label, elapsed, execution)
                display.display(line)
                shown[execution["task_execution_arn"]] = line
            running = [e for e in executions if e.get("status") not in ("SUCCESS", "ERROR")]
            if not running:
                summaries = [runbooks.summary(e) for e in executions]
                succeeded = all(e.get("status") == "SUCCESS" for e in executions)
                return dict(result, changed=False, executions=executions, summaries=summaries, succeeded=succeeded)
            if elapsed + interval > timeout:
                still = [e["task_execution_arn"] for e in running]
                region = connection.get("region") or ""
                msg = (
                    f"Stopped waiting after wait_timeout={timeout:.0f}s; still running (not cancelled): "
                    + ", ".join(f"{e['task_execution_arn']} ({e['status']})" for e in running)
                    + ". To cancel: ansible-playbook -i INVENTORY lakedrop.delivery.runbooks.cancel_stuck "
                    f"-e delivery={label} -e older_than=0 -e confirm=yes, or:\n{runbooks.cancel_hint(still, region)}"
                )
                return dict(result, failed=True, timed_out=True, msg=msg, executions=executions, running=still)
            time.sleep(interval)

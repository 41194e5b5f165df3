"""The deployer policies: the sample in docs/ is what playbooks/deployer_policy.yml writes for
inventories/example (no AWS call), and an IAM linter finds nothing wrong with them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support.ansible import run_playbook

from lakedrop_emulator.paths import REPO_ROOT as REPO

SAMPLE = REPO / "docs/deployer-policy"


def test_the_sample_is_what_the_playbook_writes_for_the_example_inventory(tmp_path):
    run = run_playbook(
        "playbooks/deployer_policy.yml",
        inventory="inventories/example",
        extra_vars={"lakedrop_build_dir": str(tmp_path)},
    )
    assert run.rc == 0, run.stdout[-4000:]
    for account in ("source", "target"):
        name = f"deployer-policy-{account}.json"
        assert json.loads((tmp_path / name).read_text()) == json.loads((SAMPLE / name).read_text()), name


# The one finding by design: whoever writes a bucket's policy could grant itself its objects. The deployer must
# write the source bucket's policy (phase 2), so that is accepted, and said in docs/deployer-policy.md.
ACCEPTED = {("RESOURCE_POLICY_PRIVILEGE_ESCALATION", "s3:PutBucketPolicy")}


def accepted(finding):
    return any(finding["issue"] == issue and action in str(finding["detail"]) for issue, action in ACCEPTED)


def test_parliament_finds_nothing_else_in_the_sample(tmp_path):
    """parliament (IAM policy linter) knows every action and resource type; it reads files, not stdin."""
    parliament = Path(sys.executable).parent / "parliament"
    proc = subprocess.run(
        [str(parliament), "--directory", str(SAMPLE), "--minimum_severity", "LOW", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    findings = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert [f for f in findings if not accepted(f)] == []

"""The client side of the emulator, for tests, the demo and the benchmark: per-account boto3 sessions,
the request journal, the control API (dev/test code, never in the built collection)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from .paths import state_dir

# What the ARN of each account's deployer contains (server.IDENTITIES): `calls(..., by=DEPLOYER)` keeps what the
# playbooks did and leaves out what the deployed pipeline does meanwhile (its functions run as role sessions).
DEPLOYER = ":user/lakedrop-deployer"


class Emulator:
    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.endpoint: str = state["endpoint"]
        self.region: str = state["region"]
        self.accounts: dict[str, dict[str, str]] = state["accounts"]

    @classmethod
    def from_state_file(cls, path: Path | None = None) -> Emulator:
        with open(path or state_dir() / "emulator.json", encoding="utf-8") as handle:
            return cls(json.load(handle))

    def state_path(self, *parts: str) -> Path:
        """A path under the emulator's state dir (e.g. the directories standing for EFS file systems)."""
        return state_dir().joinpath(*parts)

    def account_id(self, label: str = "target") -> str:
        return self.accounts[label]["account_id"]

    def identity(self, label: str = "target", identity: str = "admin") -> dict[str, str]:
        """Keys and ARN of an account's `admin` (AdministratorAccess) or `deployer` (the collection's policy)."""
        account = self.accounts[label]
        if identity == "admin":
            return account.get("admin", account)  # a state file from before identities: the top level
        return account[identity]

    def session(self, label: str = "target", identity: str = "admin") -> boto3.Session:
        keys = self.identity(label, identity)
        return boto3.Session(
            aws_access_key_id=keys["access_key_id"],
            aws_secret_access_key=keys["secret_access_key"],
            region_name=self.region,
        )

    def role_session(self, role_arn: str, label: str = "target", name: str = "lakedrop-test") -> boto3.Session:
        """A session of `role_arn`, assumed through STS by `label`'s admin (the role's trust policy decides)."""
        creds = self.client("sts", label).assume_role(RoleArn=role_arn, RoleSessionName=name)["Credentials"]
        return boto3.Session(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], self.region)

    def client(self, service: str, label: str = "target", identity: str = "admin", **config: Any):
        retries = config.pop("retries", {"max_attempts": 2, "mode": "standard"})
        return self.session(label, identity).client(
            service, endpoint_url=self.endpoint, config=Config(retries=retries, **config)
        )

    def env(self, label: str = "target", identity: str = "admin") -> dict[str, str]:
        """Environment that points boto3/Ansible at the emulator as `label`'s `identity`."""
        keys = self.identity(label, identity)
        return {
            "AWS_ACCESS_KEY_ID": keys["access_key_id"],
            "AWS_SECRET_ACCESS_KEY": keys["secret_access_key"],
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT_URL": self.endpoint,
        }

    # --- control API ----------------------------------------------------------------------------
    def authz_decisions(self, since: int = 0) -> list[dict[str, Any]]:
        """Denials with the engine's reasons (see ext/authz)."""
        return self.control("GET", f"authz/decisions?since={since}")["decisions"]

    def datasync_active(self, task_arn: str) -> list[dict[str, Any]]:
        """The task's queued and running executions: arn, status, includes, manifest (s3://bucket/key or None)."""
        return self.control("GET", f"datasync/active?task_arn={urllib.parse.quote(task_arn, safe='')}")["executions"]

    def s3_faults(self, **faults: Any) -> dict[str, Any]:
        """Arm S3 faults (conditional_conflicts=n: the next n conditional PutObjects answer 409
        ConditionalRequestConflict; stall_reads={"key", "after_bytes", "seconds"}: the next GetObject of that
        key stalls after that many bytes of its body); the faults now. Without arguments, only reads them."""
        return self.control("POST", "s3/faults", faults)

    def control(self, method: str, path: str, body: dict | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.endpoint}/_lakedrop/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def journal(self, since: int = 0) -> list[dict[str, Any]]:
        return self.control("GET", f"journal?since={since}")["entries"]

    def mark(self) -> int:
        """A position in the journal; pass it to `calls()` to see only what came after."""
        return self.control("GET", "journal/seq")["seq"]

    def calls(
        self, since: int, account: str | None = None, writes_only: bool = False, by: str | None = None
    ) -> list[dict[str, Any]]:
        """Journal entries after `since`; `by` keeps those whose caller's ARN contains it (e.g. ":user/lakedrop-deployer"),
        leaving out what the pipeline itself does meanwhile (its functions run as role sessions)."""
        account_id = self.account_id(account) if account else None
        return [
            entry
            for entry in self.journal(since)
            if (account_id is None or entry["account"] == account_id)
            and (entry["write"] or not writes_only)
            # an entry without a caller (not authorized by the engine) is kept: a check must not pass by omission
            and (by is None or not entry.get("principal") or by in entry["principal"])
        ]

    def writes(self, since: int, account: str | None = None, by: str | None = None) -> list[str]:
        """'service:Operation' of every write call after `since` (an idempotent run has none)."""
        return [f"{e['service']}:{e['operation']}" for e in self.calls(since, account, writes_only=True, by=by)]

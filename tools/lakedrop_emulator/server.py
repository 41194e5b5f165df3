"""The embedded two-account AWS: moto's server, extended in-process, behind a request journal.

Layers, outermost first: the control API (`/_lakedrop/...`), the journal middleware, the VPC egress of
functions (ext/lambda_vpc.py), the authorization layer, moto's DomainDispatcherApplication. Extensions are
installed before the first request creates a backend app.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

from . import paths
from .journal import JOURNAL
from .journal import JournalMiddleware

ACCOUNTS = {
    "source": os.environ.get("LAKEDROP_SOURCE_ACCOUNT_ID", "111111111111"),
    "target": os.environ.get("LAKEDROP_TARGET_ACCOUNT_ID", "222222222222"),
}
# Identities per account: `admin` (AWS-managed AdministratorAccess; what the deployment and the tests use
# today) and `deployer` (no policy: a later step attaches the collection's least-privilege policy).
IDENTITIES = {"admin": "lakedrop-admin", "deployer": "lakedrop-deployer"}
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"

# Control-API handlers that extensions register: (method, path) -> fn(request) -> JSON-able.
CONTROL_ROUTES: dict[tuple[str, str], Any] = {}


def control(method: str, path: str):
    def register(fn):
        CONTROL_ROUTES[(method, path)] = fn
        return fn

    return register


def update_settings(request: Request, settings: dict, lock: Any, what: str | None = None, convert: Any = None) -> dict:
    """A control handler's JSON body merged into `settings` under `lock` (each value through `convert` when
    given: one function, or a mapping of key to function), and the settings now. Keys `settings` does not have are refused, naming `what`, or, without
    `what`, ignored."""
    body = request.get_json(force=True) or {}
    unknown = set(body) - set(settings)
    if unknown and what:
        raise ValueError(f"unknown {what}: {sorted(unknown)}")
    with lock:
        by_key = convert if isinstance(convert, dict) else dict.fromkeys(settings, convert)
        settings.update({k: by_key[k](v) if by_key.get(k) else v for k, v in body.items() if k in settings})
        return dict(settings)


@control("GET", "/_lakedrop/health")
def _health(_request: Request) -> dict:
    return {"ok": True, "pid": os.getpid()}


@control("GET", "/_lakedrop/journal")
def _journal(request: Request) -> dict:
    since = int(request.args.get("since", 0))
    return {"entries": JOURNAL.entries(since)}


@control("GET", "/_lakedrop/journal/seq")
def _journal_seq(_request: Request) -> dict:
    return {"seq": JOURNAL.seq}


@control("DELETE", "/_lakedrop/journal")
def _journal_reset(_request: Request) -> dict:
    return {"seq": JOURNAL.reset()}


class ControlApi:
    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/_lakedrop/"):
            return self.app(environ, start_response)
        request = Request(environ)
        handler = CONTROL_ROUTES.get((request.method, path))
        if handler is None:
            response = Response(json.dumps({"error": f"no route {request.method} {path}"}), 404)
        else:
            try:
                response = Response(json.dumps(handler(request), default=str), 200)
            except ValueError as err:  # bad control input
                response = Response(json.dumps({"error": str(err)}), 400)
        response.content_type = "application/json"
        return response(environ, start_response)


def build_app() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.moto_server.werkzeug_app import create_backend_app

    from .ext import install_all
    from .ext.authz.middleware import AuthzMiddleware
    from .ext.lambda_vpc import EgressMiddleware

    install_all()
    moto = DomainDispatcherApplication(create_backend_app)
    return ControlApi(JournalMiddleware(EgressMiddleware(AuthzMiddleware(moto))))


def _identity(iam, region: str, user_name: str, policy_arn: str | None) -> dict[str, str]:
    if user_name not in iam.users:
        iam.create_user(region, user_name)
        if policy_arn:
            iam.attach_user_policy(policy_arn, user_name)
    key = iam.create_access_key(user_name)
    return {
        "access_key_id": key.access_key_id,
        "secret_access_key": key.secret_access_key,
        "user_arn": iam.get_user(user_name).arn,
    }


def bootstrap_accounts(endpoint: str, region: str) -> dict:
    """Per account an `admin` and a `deployer` IAM user with access keys; the key alone selects the
    account in moto. The account's top-level keys are the admin's, so existing callers keep working."""
    from moto.iam.models import iam_backends

    accounts = {}
    for label, account_id in ACCOUNTS.items():
        iam = iam_backends[account_id]["aws"]
        admin = _identity(iam, region, IDENTITIES["admin"], ADMINISTRATOR_ACCESS)
        deployer = _identity(iam, region, IDENTITIES["deployer"], None)
        accounts[label] = {"account_id": account_id, **admin, "admin": admin, "deployer": deployer}
    return {"endpoint": endpoint, "region": region, "pid": os.getpid(), "accounts": accounts}


def serve(host: str = "127.0.0.1", port: int | None = None, region: str | None = None) -> None:
    """Run in the foreground until SIGTERM/SIGINT; write the state file once ready."""
    port = port or paths.port()
    region = region or paths.region()
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    # Loaded at server start only: AWS-managed policies (e.g. for ECS task execution roles).
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    os.environ.pop("MOTO_ACCOUNT_ID", None)  # would pin every request to one account
    server = make_server(host, port, build_app(), threaded=True)
    endpoint = f"http://{host}:{server.server_port}"
    state = bootstrap_accounts(endpoint, region)
    stop = threading.Event()

    def _stop(*_args: Any) -> None:
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    paths.write_state(state)
    print(f"lakedrop emulator listening on {endpoint} (pid {os.getpid()})", flush=True)
    stop.wait()
    thread.join(timeout=10)
    try:
        if paths.read_state().get("pid") == os.getpid():
            paths.state_file().unlink()
    except FileNotFoundError:
        pass

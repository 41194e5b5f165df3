"""The collection as a user installs it: the built tarball carries the collection and nothing dev-only; installed
into an empty project directory (no checkout on any path), it deploys the whole pipeline with
`ansible-playbook lakedrop.delivery.site`, answers a runbook and tears everything down with
`lakedrop.delivery.teardown`, from an inventory written as the README says: a copy of the installed collection's
`inventories/example` with the values marked CHANGE ME filled in. The emulator stands in for AWS through the AWS
config profiles the inventory names (each with the emulator's `endpoint_url`), so the inventory's structure is
exactly the example's."""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import tarfile
import uuid
from pathlib import Path

import pytest
import yaml
from support.ansible import BIN
from support.ansible import REPO
from support.ansible import SITE_PACKAGES
from support.ansible import ansible_env
from support.polling import wait_for

from lakedrop_emulator.client import state_dir

pytestmark = pytest.mark.slow

# Files a user of the collection needs, and dev/test-only paths that must not ship (galaxy.yml build_ignore).
SHIPPED = (
    "MANIFEST.json",
    "FILES.json",
    "meta/runtime.yml",
    "playbooks/site.yml",
    "playbooks/teardown.yml",
    "playbooks/check.yml",
    "playbooks/deployer_policy.yml",
    "inventories/example/hosts.yml",
    "roles/lambda_trigger/files/lakedrop_trigger.py",
    "plugins/modules/datasync_task.py",
    "plugins/module_utils/_lakedrop/names.py",
    "docs/inventory.md",
    "changelogs/config.yaml",
    "changelogs/changelog.yaml",
)
SHIPPED_DIRS = ("roles/", "playbooks/", "plugins/", "docs/", "changelogs/")
NOT_SHIPPED = ("tools/", "tests/", "benchmarks/", "inventories/local/", ".lakedrop/", ".venv/", ".git/")
NOT_SHIPPED_FILES = ("site.yml", "ansible.cfg", "Makefile", "requirements.txt", "pyproject.toml")

# DataSync's phases in tenths of seconds (minutes on AWS), as the other lifecycle tests do.
TIMING = {"task_creating": 0.1, "launching": 0.3, "preparing": 0.2, "transferring": 0.2, "verifying": 0.1}


def _members(tarball: Path) -> list[str]:
    with tarfile.open(tarball) as tar:
        return [m.name.removeprefix("./") for m in tar.getmembers()]


def _fill_example(inventory: Path, emulator, name: str) -> dict:
    """Fill in the copied example's CHANGE ME values for the emulator's two accounts; returns the settings used."""
    source, target = emulator.account_id("source"), emulator.account_id("target")
    group_vars = inventory / "group_vars" / "all.yml"
    settings = yaml.safe_load(group_vars.read_text())
    settings.update(
        lakedrop_name=name,
        lakedrop_source_account_id=source,
        lakedrop_target_account_id=target,
        lakedrop_target_deployer_arn=emulator.identity("target", "deployer")["user_arn"],
        lakedrop_vpc_id="",  # the emulator's default VPC and two of its subnets
        lakedrop_subnet_ids=[],
        lakedrop_s3_endpoint_on_shared_route_tables=True,  # the default VPC's subnets use its main route table
        lakedrop_trigger_batching_window=1,
        lakedrop_ecs_cluster=name,
        lakedrop_ecs_service=f"{name}-svc",
        lakedrop_ecs_family=f"{name}-rstudio",
        lakedrop_ecs_task_role=f"{name}-rstudio-task",
    )
    settings["lakedrop_deliveries"][0]["bucket"] = f"{name}-source-{source}"
    group_vars.write_text(yaml.safe_dump(settings, sort_keys=False))
    for host in ("source", "target"):
        path = inventory / "host_vars" / f"{host}.yml"
        host_vars = yaml.safe_load(path.read_text())
        host_vars.update(lakedrop_region=emulator.region, lakedrop_aws_profile=f"lakedrop-{host}")
        path.write_text(yaml.safe_dump(host_vars, sort_keys=False))
    return settings


def _aws_config(path: Path, emulator, identity: str) -> Path:
    """An AWS config file whose profiles (the ones the inventory names) are the emulator's `identity` keys."""
    config = configparser.ConfigParser()
    for host in ("source", "target"):
        keys = emulator.identity(host, identity)
        config[f"profile lakedrop-{host}"] = {
            "aws_access_key_id": keys["access_key_id"],
            "aws_secret_access_key": keys["secret_access_key"],
            "region": emulator.region,
            "endpoint_url": emulator.endpoint,
        }
    with path.open("w") as handle:
        config.write(handle)
    return path


@pytest.fixture(scope="module")
def tarball(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    subprocess.run(
        [str(BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(out), str(REPO)],
        check=True,
        capture_output=True,
        env=ansible_env(None),
    )
    (built,) = out.glob("lakedrop-delivery-*.tar.gz")
    return built


@pytest.fixture(scope="module")
def project(tmp_path_factory, tarball, emulator):
    """An empty project directory with the tarball installed and an inventory filled in from the example."""
    root = tmp_path_factory.mktemp("project")
    collections = root / "collections"
    env = {k: v for k, v in ansible_env(None).items() if not k.startswith("AWS_")}
    env.pop("ANSIBLE_CONFIG")  # a user's project has no ansible.cfg of ours
    env.update(
        # The project's collections first: the checkout, linked into site-packages, must not shadow the copy.
        ANSIBLE_COLLECTIONS_PATH=f"{collections}{os.pathsep}{SITE_PACKAGES}",
        AWS_SHARED_CREDENTIALS_FILE=str(root / "no-credentials"),
        XDG_CACHE_HOME=str(root / ".cache"),
    )
    # --force: ansible-galaxy always looks into the Python's site-packages too, where the checkout's link counts
    # as lakedrop.delivery already installed (a user's machine has no such link).
    subprocess.run(
        [
            str(BIN / "ansible-galaxy"),
            "collection",
            "install",
            "--force",
            "--no-deps",
            str(tarball),
            "-p",
            str(collections),
        ],
        check=True,
        capture_output=True,
        cwd=root,
        env=dict(env, ANSIBLE_COLLECTIONS_PATH=str(collections)),
    )
    installed = collections / "ansible_collections" / "lakedrop" / "delivery"
    inventory = root / "inventories" / "emulator"
    shutil.copytree(installed / "inventories" / "example", inventory)
    name = f"in{uuid.uuid4().hex[:6]}"
    settings = _fill_example(inventory, emulator, name)
    env["AWS_CONFIG_FILE"] = str(_aws_config(root / "aws-deployer.ini", emulator, "deployer"))
    admin_env = dict(env, AWS_CONFIG_FILE=str(_aws_config(root / "aws-admin.ini", emulator, "admin")))

    def run(playbook: str, *args: str, admin: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "ansible-playbook"), "-i", str(inventory), playbook, *args],
            cwd=root,
            env=admin_env if admin else env,
            capture_output=True,
            text=True,
            timeout=1200,
        )

    previous = emulator.control("POST", "datasync/timing", {})
    emulator.control("POST", "datasync/timing", TIMING)
    try:
        yield {
            "root": root,
            "installed": installed,
            "env": env,
            "run": run,
            "name": name,
            "settings": settings,
            "before": _tree(installed),
        }
    finally:
        emulator.control("POST", "datasync/timing", {k: previous[k] for k in TIMING})


def _tree(path: Path) -> set[str]:
    # Python may cache bytecode beside the controller-side plugins it imports; everything else must stay put.
    return {str(p.relative_to(path)) for p in path.rglob("*") if "__pycache__" not in p.parts}


def _ok(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, f"rc={proc.returncode}\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"


def test_tarball_carries_the_collection_and_nothing_dev_only(tarball):
    members = _members(tarball)
    for path in SHIPPED:
        assert path in members, f"{path} missing from {tarball.name}"
    for directory in SHIPPED_DIRS:
        assert any(m.startswith(directory) for m in members), f"nothing under {directory}"
    leaked = [m for m in members if m.startswith(NOT_SHIPPED) or m in NOT_SHIPPED_FILES]
    leaked += [m for m in members if "/molecule/" in f"/{m}/" or "__pycache__" in m]
    assert not leaked, f"dev/test-only files in {tarball.name}: {leaked[:20]}"
    with tarfile.open(tarball) as tar:
        manifest = json.loads(tar.extractfile("MANIFEST.json").read())
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    assert manifest["collection_info"]["version"] == galaxy["version"]


def test_the_installed_copy_is_the_one_ansible_uses(project):
    installed = project["installed"]
    assert not installed.is_symlink() and (installed / "playbooks" / "site.yml").is_file()
    assert not (installed / "tools").exists() and not (installed / "site.yml").exists()
    listing = subprocess.run(
        [str(BIN / "ansible-galaxy"), "collection", "list", "lakedrop.delivery", "--format", "json"],
        cwd=project["root"],
        env=project["env"],
        capture_output=True,
        text=True,
        check=True,
    )
    # ansible-galaxy lists every directory holding the collection (in set order, so not the search order);
    # which copy a lookup resolves to is what ansible-doc reports below.
    paths = [Path(p) for p, found in json.loads(listing.stdout).items() if "lakedrop.delivery" in found]
    assert installed.parents[1] in paths, paths
    doc = subprocess.run(
        [str(BIN / "ansible-doc"), "-t", "module", "lakedrop.delivery.datasync_task", "--json"],
        cwd=project["root"],
        env=project["env"],
        capture_output=True,
        text=True,
        check=True,
    )
    filename = json.loads(doc.stdout)["lakedrop.delivery.datasync_task"]["doc"]["filename"]
    assert Path(filename).is_relative_to(installed), filename


def test_site_from_the_installed_collection_delivers(project, emulator):
    run = project["run"]
    # What each account's administrator does first (their own credentials): the deployer's policy, and (emulator
    # only) a stand-in for the ECS service that already exists on AWS.
    _ok(
        run(
            "lakedrop.delivery.deployer_policy",
            "-e",
            "lakedrop_deployer_policy_attach_to=user/lakedrop-deployer",
            admin=True,
        )
    )
    _ok(run(str(REPO / "tools" / "standin" / "ecs_service.yml"), admin=True))

    _ok(run("lakedrop.delivery.site"))

    delivery = project["settings"]["lakedrop_deliveries"][0]
    key = f"{delivery['prefix']}installed/report 1.csv"
    emulator.client("s3", "source").put_object(Bucket=delivery["bucket"], Key=key, Body=b"a,b\n1,2\n")
    (fs,) = [
        f["FileSystemId"]
        for f in emulator.client("efs").describe_file_systems()["FileSystems"]
        if f.get("Name") == project["name"]
    ]
    arrived = state_dir() / "efs" / emulator.account_id("target") / fs / delivery["efs_path"].strip("/")
    arrived = arrived / key.removeprefix(delivery["prefix"])
    wait_for(arrived.exists, timeout=120, interval=0.5)
    assert arrived.read_bytes() == b"a,b\n1,2\n"

    # The trigger's zip went to the user's cache, not into the installed collection.
    assert list((project["root"] / ".cache" / "lakedrop" / "build").glob("*.zip"))
    assert _tree(project["installed"]) == project["before"]


@pytest.mark.parametrize("runbook", ["status"])
def test_runbook_from_the_installed_collection(project, runbook):
    assert (project["installed"] / "playbooks" / "runbooks" / f"{runbook}.yml").is_file()
    proc = project["run"](f"lakedrop.delivery.runbooks.{runbook}")
    _ok(proc)
    assert project["name"] in proc.stdout


def test_teardown_from_the_installed_collection_leaves_nothing(project, emulator):
    _ok(project["run"]("lakedrop.delivery.teardown", "-e", "lakedrop_teardown_bucket_contents=true"))
    # The ECS service is the user's, not the deployment's: its stand-in goes as it came.
    _ok(project["run"](str(REPO / "tools" / "standin" / "ecs_service.yml"), "-e", "standin_state=absent", admin=True))
    name = project["name"]
    left = {
        "buckets": [b["Name"] for b in emulator.client("s3", "source").list_buckets()["Buckets"]],
        "roles": [r["RoleName"] for r in emulator.client("iam").list_roles()["Roles"]],
        "functions": [f["FunctionName"] for f in emulator.client("lambda").list_functions()["Functions"]],
        "queues": emulator.client("sqs").list_queues(QueueNamePrefix=name).get("QueueUrls", []),
        "tasks": [t.get("Name", "") for t in emulator.client("datasync").list_tasks()["Tasks"]],
        "file systems": [f.get("Name", "") for f in emulator.client("efs").describe_file_systems()["FileSystems"]],
    }
    mine = {kind: [n for n in names if name in n] for kind, names in left.items()}
    assert not any(mine.values()), mine
    assert _tree(project["installed"]) == project["before"]

"""The file system an EFS setting module works on: its option checked, its existence read once."""

from __future__ import annotations

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import file_systems
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import Failure

FS = "fs-0123456789abcdef0"
FS_ARN = f"arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/{FS}"


@pytest.mark.parametrize("value", [FS, FS_ARN])
def test_an_id_or_an_arn_of_the_region_has_no_problem(value):
    assert [p for p in file_systems.problems(value, "eu-west-1") if p] == []


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("fsap-0123456789abcdef0", "file_system must be an EFS file system ARN or its ID, but"),
        ("arn:aws:s3:::bucket", "is an S3 bucket ARN"),
        (FS_ARN.replace("eu-west-1", "us-east-1"), "is in region us-east-1, but the module runs in eu-west-1"),
    ],
)
def test_problems_name_the_option_and_what_was_given(value, fragment):
    assert fragment in " ".join(p for p in file_systems.problems(value, "eu-west-1") if p)


def test_missing_message_names_the_file_system_and_the_region():
    assert file_systems.missing_message(FS, "eu-west-1").startswith(f"file_system {FS} does not exist in eu-west-1")


class FakeEFS:
    def __init__(self, *found):
        self.found, self.asked = list(found), []

    def describe_file_systems(self, FileSystemId):  # boto3 spells it so
        self.asked.append(FileSystemId)
        return {"FileSystems": self.found}


def test_require_reads_the_file_system_by_its_id():
    client = FakeEFS({"FileSystemId": FS, "ThroughputMode": "bursting"})

    assert file_systems.require(client, FS_ARN, "eu-west-1") == (FS, {"FileSystemId": FS, "ThroughputMode": "bursting"})
    assert client.asked == [FS]


def test_require_fails_naming_a_missing_file_system():
    with pytest.raises(Failure, match=f"file_system {FS} does not exist in eu-west-1"):
        file_systems.require(FakeEFS(), FS, "eu-west-1")

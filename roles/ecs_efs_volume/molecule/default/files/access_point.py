#!/usr/bin/env python3
"""Test fixture only (prepare/cleanup): ensure or delete an EFS access point named by its Name tag.

No collection manages EFS access points; the role under test only needs one to exist.
Usage: access_point.py ensure|delete FILE_SYSTEM_ID NAME (credentials and endpoint from AWS_* variables).
"""

import json
import sys

import boto3


def main(action: str, file_system_id: str, name: str) -> None:
    efs = boto3.client("efs")
    found = [
        ap
        for ap in efs.describe_access_points(FileSystemId=file_system_id)["AccessPoints"]
        if ap.get("Name") == name
    ]
    changed = False
    if action == "ensure" and not found:
        found = [
            efs.create_access_point(
                ClientToken=name,
                FileSystemId=file_system_id,
                PosixUser={"Uid": 1000, "Gid": 1000},
                RootDirectory={"Path": "/shared", "CreationInfo": {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "0750"}},
                Tags=[{"Key": "Name", "Value": name}],
            )
        ]
        changed = True
    if action == "delete":
        for ap in found:
            efs.delete_access_point(AccessPointId=ap["AccessPointId"])
            changed = True
        found = []
    print(json.dumps({"changed": changed, "access_points": [
        {"id": ap["AccessPointId"], "arn": ap["AccessPointArn"]} for ap in found
    ]}))


if __name__ == "__main__":
    main(*sys.argv[1:4])

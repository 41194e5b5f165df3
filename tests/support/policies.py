"""IAM policy documents for tests."""

from __future__ import annotations


def document(*statements):
    """A policy document (the current policy language version) holding `statements`."""
    return {"Version": "2012-10-17", "Statement": list(statements)}

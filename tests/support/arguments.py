"""A module's arguments as AnsibleModule passes them to the code under test."""

from __future__ import annotations


def arguments(module, *given):
    """Every option of `module`'s ARGUMENT_SPEC at its default (None where there is none), updated with each
    mapping of `given` in turn."""
    values = {name: spec.get("default") for name, spec in module.ARGUMENT_SPEC.items()}
    for more in given:
        values.update(more)
    return values

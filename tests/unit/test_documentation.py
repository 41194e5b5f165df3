"""What validate-modules checks of every module, in seconds: the documentation (with its doc fragments) and
the argument spec agree, the spec's generated suboptions most of all, and RETURN resolves its fragments."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import yaml
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec
from support.docs import merged

from ansible_collections.lakedrop.delivery.plugins import modules

MODULES = [
    importlib.import_module(f"{modules.__name__}.{info.name}") for info in pkgutil.iter_modules(modules.__path__)
]
WITH_SPEC = [m for m in MODULES if hasattr(m, "ARGUMENT_SPEC")]


def assert_documented(documented, spec, where):
    assert sorted(documented) == sorted(spec), where
    for name, entry in spec.items():
        doc = documented[name]
        assert doc.get("type", "str") == entry.get("type", "str"), f"{where}.{name}"
        for key in ("default", "choices", "elements"):
            assert doc.get(key) == entry.get(key), f"{where}.{name}.{key}"
        if "options" in entry:
            assert_documented(doc["suboptions"], entry["options"], f"{where}.{name}")


@pytest.mark.parametrize("module", WITH_SPEC, ids=lambda m: m.__name__.rpartition(".")[2])
def test_documentation_matches_argument_spec(module):
    doc = merged(module)
    spec = dict(module.ARGUMENT_SPEC)
    documented = doc["options"]
    if "amazon.aws.common.modules" in yaml.safe_load(module.DOCUMENTATION)["extends_documentation_fragment"]:
        aws = aws_argument_spec()  # AnsibleAWSModule adds these; their text is amazon.aws's
        assert set(aws) <= set(documented), module.__name__
        documented = {name: entry for name, entry in documented.items() if name not in aws}
    assert_documented(documented, spec, module.__name__)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rpartition(".")[2])
def test_return_fragments_resolve(module):
    returned = merged(module, "RETURN")
    assert returned and all("description" in entry and "type" in entry for entry in returned.values())

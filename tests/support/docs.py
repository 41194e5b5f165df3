"""A module's documentation as ansible-doc shows it: its own text with the doc fragments it extends merged in
by ansible's own code."""

from __future__ import annotations

import importlib

import yaml
from ansible.utils.plugin_docs import add_fragments


class Fragments:
    """Finds doc fragments by name (`namespace.collection.plugin`), as ansible's fragment loader does."""

    def get(self, name):
        if name.count(".") != 2:
            return None  # `...lakedrop.location`: ansible then asks for `...lakedrop` and its LOCATION
        namespace, collection, plugin = name.split(".")
        try:
            module = importlib.import_module(
                f"ansible_collections.{namespace}.{collection}.plugins.doc_fragments.{plugin}"
            )
        except ImportError:
            return None
        fragment = module.ModuleDocFragment()  # an instance, as the loader gives (amazon.aws.boto3 needs it)
        fragment.ansible_name = name
        return fragment


def merged(module, section="DOCUMENTATION"):
    """`module`'s DOCUMENTATION or RETURN with its fragments."""
    doc = yaml.safe_load(getattr(module, section))
    add_fragments(doc, module.__file__, fragment_loader=Fragments(), is_module=True, section=section)
    return doc

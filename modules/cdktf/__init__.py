"""albform.modules.cdktf: a CDKTF-style construct library in pure Python (no cdktf runtime).

Build an ``App`` of ``Stack``s holding ``AviProvider``, typed ``Avi*`` resources (one class
per ``avi_*`` type, generated from the provider schema), ``DataAvi*`` data sources,
``Variable``, ``Output``, a backend, ``AkoCluster`` and ``AmkoGslb``; ``app.synth()`` writes
``cdktf.out/stacks/<stack>/cdk.tf.json`` as ``cdktf synth`` does, which ``albform
-chdir=cdktf.out/stacks/<stack> plan`` and Terraform read. The same classes on top of the
real cdktf runtime live in ``albform.modules.cdktf.interop`` (the ``[cdktf]`` extra).
"""

from __future__ import annotations

from albform.modules.cdktf.clusters import (
    AkoCluster,
    AmkoGslb,
    ClusterModuleWarning,
    ClusterSynthError,
)
from albform.modules.cdktf.construct import Construct, make_logical_id
from albform.modules.cdktf.elements import (
    DataSource,
    Lifecycle,
    Module,
    Output,
    Resource,
    TerraformElement,
    Variable,
)
from albform.modules.cdktf.generated import *  # noqa: F403 (the generated classes)
from albform.modules.cdktf.generated import DATA_SOURCES, RESOURCES
from albform.modules.cdktf.providers import (
    AviProvider,
    Backend,
    HttpBackend,
    LocalBackend,
    PgBackend,
)
from albform.modules.cdktf.stack import App, Stack
from albform.modules.cdktf.testing import Testing

__all__ = [
    "DATA_SOURCES",
    "RESOURCES",
    "AkoCluster",
    "AmkoGslb",
    "App",
    "AviProvider",
    "Backend",
    "ClusterModuleWarning",
    "ClusterSynthError",
    "Construct",
    "DataSource",
    "HttpBackend",
    "Lifecycle",
    "LocalBackend",
    "Module",
    "Output",
    "PgBackend",
    "Resource",
    "Stack",
    "TerraformElement",
    "Testing",
    "Variable",
    "make_logical_id",
]

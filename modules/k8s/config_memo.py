"""The cluster memo: the ``Configuration`` (and warnings) a cluster's manifests translated to,
kept so that planning the same files again skips reading, translating and configuring them.
56,540 objects take ~3 s of CPU from manifests to configuration; the entry rebuilds the same
Configuration in a fraction of that (``benchmarks/README.md``, issue 16 goal 3).

An entry stands for a load when (``ClusterMemo.load``)

* its binding matches: memo format, Python version (``marshal``), albform's installation
  fingerprint (code and schema table), the installed PyYAML (the settings, facts and YAML
  manifests are parsed with it), the working directory, and the inputs as named (manifest
  paths, AKO configuration, controller facts file);
* the manifest paths still expand to the same files (a directory's listing), and every file
  read — manifests, AKO configuration, facts — has the digest the entry recorded (its
  absolute, link-resolved path and SHA-256: ``Configuration.inputs``, ``engine/inputs.py``).

Never kept, nor asked: a live cluster (its objects are not files), controller facts read from
the controller or replayed from a saved plan, inline settings (the HCL ``albform/ako``
module), and inputs that are not regular files (or, for manifests, folders): a pipe
(``--manifests /dev/stdin``, ``<(kubectl ...)``) reads once, so neither its digest nor a hit
could stand for what it holds, and a path that does not exist must give its error. Never kept
either: a load with errors, a load whose files changed while it ran (their digests before and
after differ: the entry would pair the old translation with the new bytes), or a
configuration with anything but plain resources (values ``marshal`` keeps exactly, no
lifecycle, source or provider of their own, nothing besides resources). Warnings are kept
with the entry and given again on a hit: nothing is dropped silently.

Secrets: the configuration holds what the manifests' TLS Secrets carry (certificate keys),
so the payload is encrypted (AES-GCM, the binding as associated data) under a key derived
from the user's albform key, which lives outside the working tree (``engine/user_key.py``);
the entry is sealed as every memo is (``engine/sealed_file.py``). An entry failing any
check, or not rebuilding, is a miss: the caller translates as before and writes a new one.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.collector import collector_paused
from albform.engine.config import AVI_PROVIDER, Configuration, Lifecycle, ResourceConfig
from albform.engine.diagnostics import Diagnostic, Diagnostics, Severity, SourceRange
from albform.engine.inputs import file_digests
from albform.engine.sealed_file import read_sealed, write_sealed
from albform.engine.user_key import derived_key
from albform.engine.workdir import (
    PRIVATE_DIR,
    installation_fingerprint,
    package_fingerprint,
)
from albform.modules.k8s.ingest import manifest_files

FORMAT = "albform-cluster-memo/1"
MEMO_DIR = Path(PRIVATE_DIR) / "cluster-memo"
_NONCE = 12  # bytes, AES-GCM's standard nonce


class ClusterMemo:
    """The memo of one set of cluster inputs (named in the binding), kept at ``path``."""

    def __init__(self, path: Path, manifests: tuple[Path, ...], others: tuple[Path, ...],
                 binding: bytes, seal_key: bytes, cipher_key: bytes) -> None:
        self.path = path
        self._manifests = manifests
        self._others = others  # the AKO configuration and facts files
        self._binding = binding
        self._seal_key = seal_key
        self._cipher_key = cipher_key
        self.hits = 0  # for tests

    def load(self) -> tuple[Configuration, Diagnostics] | None:
        """The configuration and warnings of the inputs as they are now, if the entry holds
        them (module docstring); else None."""
        sealed = read_sealed(self.path, self._seal_key, self._binding)
        if sealed is None:
            return None
        try:
            payload = _decrypt(self._cipher_key, sealed, self._binding)
            with collector_paused():
                files, inputs, flat = marshal.loads(payload)
                # The files a load reads now, in its order (``load._read_*``).
                if [str(p) for p in manifest_files(self._manifests)] != files or \
                        file_digests([*map(Path, files), *self._others]) != inputs:
                    return None
                result = _rebuild(flat, inputs)
        except (ValueError, TypeError, EOFError, IndexError, KeyError, AttributeError):
            return None
        self.hits += 1
        return result

    def digests_now(self) -> dict[str, str]:
        """The digests of the files a load reads now (taken before a load that ``save`` may
        keep: the load's own, ``Configuration.inputs``, are taken after it)."""
        return file_digests([*manifest_files(self._manifests), *self._others])

    def save(self, config: Configuration, diags: Diagnostics, before: Mapping[str, str],
             ) -> None:
        """Keep ``config`` and its warnings unless they may not be kept (module docstring;
        ``before``: ``digests_now()`` from before the load); nothing happens when it cannot
        be written (a cache)."""
        if diags.has_errors() or config.recorded_reads or dict(config.inputs) != before:
            return
        try:
            flat = _flatten(config, diags)
            files = [str(p) for p in manifest_files(self._manifests)]
            payload = marshal.dumps((files, dict(config.inputs), flat))
        except (_NotKept, ValueError):
            return
        write_sealed(self.path, self._seal_key, self._binding,
                     _encrypt(self._cipher_key, payload, self._binding))


def cluster_memo(workdir: Path, *, manifests: tuple[Path, ...], ako_config: Path,
                 controller_facts: Path, env: Mapping[str, str]) -> ClusterMemo | None:
    """The memo of a cluster load from these files, kept in ``workdir``'s private folder;
    None when there is no user key, or an input is not a regular file (manifests: or a
    folder). ``load._memo`` decides which loads are from files alone."""
    if not all(map(_is_file_or_folder, manifests)) \
            or not (_is_file(ako_config) and _is_file(controller_facts)):
        return None
    seal_key = derived_key(env, b"albform cluster memo")
    cipher_key = derived_key(env, b"albform cluster memo encryption")
    if seal_key is None or cipher_key is None:
        return None
    load = "\0".join((str(Path.cwd()), *(str(p) for p in manifests), "",
                      str(ako_config), str(controller_facts)))
    name = hashlib.sha256(load.encode()).hexdigest()[:32]
    binding = "\0".join((FORMAT, sys.version, installation_fingerprint(), _yaml(),
                         load)).encode()
    return ClusterMemo(Path(workdir) / MEMO_DIR / f"{name}.bin", manifests,
                       (ako_config, controller_facts), binding, seal_key, cipher_key)


def _is_file(path: Path) -> bool:
    """A regular file (links followed): not a pipe, a device or a missing path."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _is_file_or_folder(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) or stat.S_ISDIR(mode)


def _encrypt(key: bytes, payload: bytes, binding: bytes) -> bytes:
    """A fresh nonce, then ``payload`` AES-GCM encrypted with ``binding`` as associated data.
    (cryptography is imported here: only a memo's load or save needs it.)"""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(key).encrypt(nonce, payload, binding)


def _decrypt(key: bytes, sealed: bytes, binding: bytes) -> bytes:
    """What ``_encrypt`` made; ``ValueError`` (a miss) when it does not authenticate."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(sealed[:_NONCE], sealed[_NONCE:], binding)
    except InvalidTag:
        raise ValueError("the entry does not authenticate") from None


@functools.cache
def _yaml() -> str:
    """The installed PyYAML (``package_fingerprint``)."""
    return package_fingerprint("yaml", "PyYAML-")


# -- the marshalled form ------------------------------------------------------------------------

class _NotKept(Exception):
    """A configuration the memo cannot keep exactly."""


_PLAIN_DEFAULTS = (Lifecycle(), None, AVI_PROVIDER)


def _flatten(config: Configuration, diags: Diagnostics) -> tuple[Any, ...]:
    """Addresses once in a table, resources and warnings by index. ``marshal`` refuses what
    it cannot keep exactly (a ``str`` subclass, an object), which ``save`` takes as not kept;
    tuples would come back as tuples, which is what they were."""
    rest = replace(config, resources=(), inputs={}, recorded_reads={})
    if rest != Configuration():
        raise _NotKept("more than resources")
    table: dict[ResourceAddress, int] = {}

    def index(a: ResourceAddress) -> int:
        found = table.get(a)
        if found is None:
            found = table[a] = len(table)
        return found

    resources = []
    for r in config.resources:
        if (r.lifecycle, r.source, r.provider) != _PLAIN_DEFAULTS:
            raise _NotKept(str(r.address))
        resources.append((index(r.address), dict(r.attributes),
                          tuple(index(d) for d in r.depends_on), r.replace_remedy))
    warnings = tuple(
        (d.summary, d.detail,
         None if d.subject is None else (d.subject.filename, d.subject.start_line,
                                         d.subject.end_line, d.subject.start_column),
         None if d.address is None else index(d.address))
        for d in diags)
    addresses = [(a.type, a.name, a.key, tuple((s.name, s.key) for s in a.module), a.mode)
                 for a in table]
    return addresses, tuple(resources), warnings


def _rebuild(flat: tuple[Any, ...], inputs: dict[str, str],
             ) -> tuple[Configuration, Diagnostics]:
    table, resources, warnings = flat
    # One address object per address, as the translation shares them (the planner's maps
    # find them by identity).
    addresses = [ResourceAddress(t[0], t[1], t[2], tuple(ModuleStep(n, k) for n, k in t[3]),
                                 t[4]) for t in table]
    lifecycle = Lifecycle()
    built = tuple(ResourceConfig(addresses[a], attributes,
                                 tuple(addresses[d] for d in depends_on), lifecycle,
                                 None, AVI_PROVIDER, remedy)
                  for a, attributes, depends_on, remedy in resources)
    diags = Diagnostics(
        Diagnostic(Severity.WARNING, summary, detail,
                   None if where is None else SourceRange(*where),
                   None if at is None else addresses[at])
        for summary, detail, where, at in warnings)
    return Configuration(resources=built, inputs=inputs), diags

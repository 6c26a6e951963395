"""Terraform state v4 JSON: ``encode_state(State) -> bytes`` and ``decode_state(bytes) -> State``.

The bytes are what Terraform 1.11 writes: Go struct key order, two-space indent, a final
newline, object keys inside attribute and output values sorted (cty marshals objects that way;
``jsonwriter`` notes the one exception), and ``<``, ``>``, ``&``, U+2028, U+2029 escaped as
Go's encoder does. ``encode_state`` is a pure function: one state always gives the same bytes.

Sensitive values never reach the bytes. For every attribute the resource schema marks
sensitive, the *value* is dropped from ``attributes`` and its concrete path (list indexes
expanded) is listed in ``sensitive_attributes``. A reader that finds a listed path with no
value knows the value was withheld, not unset. What albform sent there is remembered as a
``SecretDigest`` in the instance's ``private`` blob (``state.private``), put back at its path
on decode, so that a rotated secret is seen as a change (``engine.secrets``); the provider's
read mark of the attributes (``ResourceState.mark``) travels there too. Root outputs
declared ``sensitive`` are written with a null value (Terraform keeps them in clear; albform
keeps no secret in state, and recomputes outputs from the configuration on apply).

``decode_state`` raises ``StateFormatError`` with the reason and the JSON location for every
file it cannot represent faithfully (invalid JSON, another format version, legacy
``attributes_flat``). Unknown top-level and instance keys are preserved.

A schema with a ``state_form`` (the provider's own Terraform typing) has its instances'
attributes converted at this boundary: ``to_state`` when writing, ``from_state`` when
reading (``decode_state(data, schemas)``), sensitive paths mapped alike; the model always
holds the engine's values.

Deposed objects (``"deposed": "<8 hex>"``, left by an interrupted create_before_destroy
replacement) are instances of their resource like the current one: Terraform writes each
instance key's current object first, then its deposed objects by key. ``State.deposed`` holds
them on the model side.

``dependencies`` holds what Terraform's reader accepts there: resource addresses without
instance keys (``avi_pool.ako``, ``module.m.avi_vsvip.v``). albform orders deletes per
instance, so when the model's dependencies name instances they are also written, exactly,
under ``albform_dependencies`` (Terraform ignores unknown instance keys and drops them when it
rewrites the file). A file without them gets each listed resource expanded to its instances in
the state, except the object's own resource: Terraform cannot express an instance depending on
a sibling, and expanding onto siblings would make them wait on each other's deletes.

An imported object's restore point (``ResourceState.adopted_from``) is written under
``albform_adopted_from``, sensitive values withheld like the attributes'; Terraform ignores the
key as well.
"""

from albform.engine.state.decode import StateFormatError, decode_state
from albform.engine.state.encode import (
    EncodeCache,
    encode_state,
    prepare_instance,
    withhold_sensitive,
)

__all__ = ["EncodeCache", "StateFormatError", "decode_state", "encode_state",
           "prepare_instance", "withhold_sensitive"]

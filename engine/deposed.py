"""Deposed objects in plans: every deposed object of the prior state is deleted.

A deposed object is the old object of a create_before_destroy replacement that an earlier
apply created the new object for but never deleted (crash, failed delete). Terraform plans a
plain ``delete`` for each, with no ``action_reason``, whatever the configuration says; so does
``deposed_deletes``. With ``-target`` only the deposed objects of selected instances are
planned. Refresh has already dropped the ones gone from the controller.
"""

from __future__ import annotations

from albform.engine.changes import Action, PlanOptions, ResourceChange
from albform.engine.planning_refresh import matches
from albform.engine.state.model import State


def deposed_deletes(prior_state: State, options: PlanOptions) -> list[ResourceChange]:
    """One ``DELETE`` change (``deposed`` set) per deposed object of ``prior_state``, in
    (address, key) order; none for ``-refresh-only``."""
    if options.refresh_only:
        return []
    return [ResourceChange(r.address, Action.DELETE, r.attributes, None, provider=r.provider,
                           deposed=r.deposed)
            for r in prior_state.deposed
            if not options.targets or any(matches(t, r.address) for t in options.targets)]


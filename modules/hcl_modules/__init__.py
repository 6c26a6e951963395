"""Reusable HCL modules shipped with albform, used as ``source = "albform/<name>"``
(folder names use ``_`` where the source name has ``-``). Package data only."""

"""The ``albform/http-app`` module (HCL files in this folder)."""

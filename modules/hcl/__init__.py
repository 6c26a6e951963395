"""The HCL / Terraform-JSON front end: reads ``.tf`` and ``.tf.json`` configurations into an
engine ``Configuration`` plus ``Diagnostics``. Entry point: ``load_configuration``."""

"""State: what exists (model), its Terraform v4 JSON form (codec), locks and backends."""

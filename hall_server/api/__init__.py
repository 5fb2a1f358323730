"""The public REST API under /api/v1: schemas, error handling and one blueprint per resource."""

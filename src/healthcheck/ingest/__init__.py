"""Raw exports in: reading, schemas and cleaning of the worker survey and the organisational return."""

"""The seeded sample data: a worker survey and an organisational return shaped like real rounds."""

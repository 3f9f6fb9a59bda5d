"""Reference data: the areas, the codebooks and the organisations, read from the committed files."""

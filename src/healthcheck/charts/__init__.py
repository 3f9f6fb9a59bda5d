"""Plotly charts from a view, each with its name, title and alt text."""

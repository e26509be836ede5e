"""Numbered schema migrations (NNNN_name.py, each with up and down), applied by core.migrate."""

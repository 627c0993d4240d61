"""Synthetic sample persons and their virtual cards (never real people, never real keys)."""

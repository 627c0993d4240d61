"""Test instruments shared by every part of taimen's test suite (real PC/SC sessions over vpcd, pcscd control)."""

"""The counter application: a local web UI for the whole face-to-face verification flow.

Bound to 127.0.0.1, opened with one-time launch codes, server-rendered HTML with one small script. Nothing it
handles (images, PINs, 照合番号, personal data) is written to disk; 「終了」 wipes it from memory.
"""

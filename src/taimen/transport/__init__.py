"""Transports carry command APDUs to a card: PC/SC (pyscard), in-process (emulator), tracing wrapper."""

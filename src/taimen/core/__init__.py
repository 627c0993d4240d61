"""Sans-I/O core: APDUs, status words, TLV and the card conversation. No reader, socket or file here."""

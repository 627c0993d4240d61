"""Virtual cards: an ISO 7816-4 card emulator, the card-image file format, the vpcd bridge, a link model."""

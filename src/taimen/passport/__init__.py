"""The Japanese passport (eMRTD, ICAO Doc 9303): MRZ, BAC, LDS, passive and active authentication."""

"""taimen (対面): face-to-face verification of Japanese IC identity documents."""

import os as _os

# onnxruntime (used by OCR) writes telemetry files unless told not to before it is imported.
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"
_os.environ["ORT_TELEMETRY_DISABLED"] = "1"

__version__ = "0.1.0"

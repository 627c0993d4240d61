#!/bin/sh
# Make sure pcscd runs with the vpcd driver (start it if needed; root only) and answers with the
# "Virtual PCD" readers. Used by .ci/run and by the end-to-end test fixture. Exit status 1 if it cannot.
here=$(cd "$(dirname "$0")/.." && pwd)
PYTHONPATH="$here/src${PYTHONPATH:+:$PYTHONPATH}" exec python3 -m taimen.testing.pcscd start "$@"

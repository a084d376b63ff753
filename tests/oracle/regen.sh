#!/bin/bash
# regen.sh -- regenerate the Alembic golden files (tests/oracle/expected/).
#
# usage: tests/oracle/regen.sh [OUT_DIR]
#
# Asks real Alembic (Debian's python3-alembic, always through Debian's
# /usr/bin/python3) the questions of regen.py about the sample environment
# migrations/ and writes the answers into OUT_DIR (default
# tests/oracle/expected), replacing what was there.  Run it after changing
# migrations/ or the oracle, and commit the result; goldens.t fails until
# then.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/regen.py" "$@"

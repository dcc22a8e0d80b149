#!/bin/bash
# Benchmarks, libdom0c mode: xl-dom0c, dom0c init, dom0cd -f --period 1.
exec bash "$(dirname "$0")/bench.sh" dom0c nodirty

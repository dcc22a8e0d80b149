#!/bin/bash
# As bench-dom0c, B2's domU running guest/dirty (opt-in: run-bench.sh --modes dom0c-dirty).
exec bash "$(dirname "$0")/bench.sh" dom0c dirty

#!/bin/bash
# As bench-native, B2's domU running guest/dirty (opt-in: run-bench.sh --modes native-dirty).
exec bash "$(dirname "$0")/bench.sh" native dirty

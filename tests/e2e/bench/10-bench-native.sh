#!/bin/bash
# Benchmarks, native mode: stock xl, dom0 sized like the main container.
exec bash "$(dirname "$0")/bench.sh" native nodirty

#!/bin/bash
# The emulated NUMA host as Xen sees it, and dom0's vCPU pinning.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
title "Host topology (xl info -n)"
show xl info -n
title "dom0: one vCPU per pCPU, vCPU i pinned to pCPU i (xl vcpu-list 0)"
show xl vcpu-list 0

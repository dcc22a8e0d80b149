#!/bin/bash
# What libdom0c sees and plans on this host (skipped until it is installed).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
title "libdom0c: facts of this host (dom0c facts --local)"
if [[ -x /usr/bin/dom0c ]]; then
    show dom0c facts --local
else
    note "/usr/bin/dom0c is not installed in dom0 yet: skipped"
fi
topo=/usr/share/dom0c/topologies/lab-2x2.json
title "libdom0c: plan for two domUs on the lab topology (dom0c plan)"
if [[ -x /usr/bin/dom0c && -f $topo ]]; then
    show dom0c plan --topology "$topo" --domu memory=512,vcpus=2 --domu memory=512,vcpus=2
else
    note "needs /usr/bin/dom0c and $topo: skipped"
fi

#!/bin/bash
# libdom0c on the live host: its facts, its plan, the containers it builds,
# and a domU created through it (carved) and destroyed (given back).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. /usr/lib/dom0c-lab/lib.sh 2>/dev/null
MINI=/usr/lib/dom0c/mini-toolstack

title "What Linux in dom0 sees (dom0c facts --local): a PV dom0 sees one node"
show dom0c facts --local
title "What Xen sees (dom0c facts, through libxl)"
show dom0c facts
dom0c_lab_conf
title "The lab's /etc/xen/dom0c.conf"
show cat /etc/xen/dom0c.conf
dom0c facts -j >/tmp/host.json
title "Plan on the live facts: dom0's layout, then two domUs (dom0c plan)"
show dom0c plan --topology /tmp/host.json --config /etc/xen/dom0c.conf \
    --domu memory=256,vcpus=2 --domu memory=256,vcpus=1
title "dom0c init: containers, pinning, ledger, dom0's target"
show dom0c init
show dom0c status
title "A domU of 256 MB created through libdom0c (examples/mini-toolstack)"
truncate -s 64M /var/lib/xen/images/demo.img
show $MINI create demo "$LAB_DOMU_KERNEL" "$LAB_DOMU_RAMDISK" 256 2 \
    /var/lib/xen/images/demo.img
show xl list
show dom0c status
title "Destroyed: dom0 gives its share back"
show $MINI destroy "$(xl domid demo)"
show dom0c status
rm -f /var/lib/xen/images/demo.img
dom0c_teardown

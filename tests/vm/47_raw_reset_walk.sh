#!/bin/sh
# timeout: 240
# CC.EN=0 with 510 x 256 KiB transfers in flight: RDY drops, no DMA afterwards, re-enable works.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case reset_walk

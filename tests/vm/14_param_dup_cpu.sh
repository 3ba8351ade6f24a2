#!/bin/sh
# The same CPU twice (cpus=2,2) is refused.
. "$T_DIR/lib.sh"
hostile_insmod "cpus=2,2" memmap_start="$NVMEV_MEMMAP_START" memmap_size="$NVMEV_MEMMAP_SIZE" cpus=2,2

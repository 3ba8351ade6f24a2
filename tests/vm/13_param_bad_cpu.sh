#!/bin/sh
# A CPU that does not exist (cpus=2,99) is refused.
. "$T_DIR/lib.sh"
hostile_insmod "cpu 99" memmap_start="$NVMEV_MEMMAP_START" memmap_size="$NVMEV_MEMMAP_SIZE" cpus=2,99

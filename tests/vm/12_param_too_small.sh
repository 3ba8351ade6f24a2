#!/bin/sh
# A region too small to hold BAR0 plus any storage (512K) is refused.
. "$T_DIR/lib.sh"
hostile_insmod "512K region" memmap_start="$NVMEV_MEMMAP_START" memmap_size=512K cpus="$NVMEV_CPUS"

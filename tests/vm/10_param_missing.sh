#!/bin/sh
# insmod without the required parameters is refused.
. "$T_DIR/lib.sh"
hostile_insmod "no parameters"
hostile_insmod "no memmap_size" memmap_start="$NVMEV_MEMMAP_START" cpus="$NVMEV_CPUS"
hostile_insmod "no memmap_start" memmap_size="$NVMEV_MEMMAP_SIZE" cpus="$NVMEV_CPUS"

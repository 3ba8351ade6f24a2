#!/bin/sh
# A region overlapping System RAM (memmap_start=0) is refused.
. "$T_DIR/lib.sh"
hostile_insmod "region at 0 (System RAM)" memmap_start=0 memmap_size="$NVMEV_MEMMAP_SIZE" cpus="$NVMEV_CPUS"
# The region straddling the end of the reservation into System RAM.
hostile_insmod "region past the reservation" memmap_start="$NVMEV_MEMMAP_START" \
	memmap_size=$((NVMEV_MEMMAP_SIZE_BYTES * 2)) cpus="$NVMEV_CPUS"

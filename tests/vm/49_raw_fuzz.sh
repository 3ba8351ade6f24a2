#!/bin/sh
# timeout: 900
# Seeded fuzzer over the raw user-space driver (tests/raw/fuzz.c): random
# opcodes and fields, PRPs only into memory the fuzzer owns, random
# doorbell values, queue create/delete, CC.EN and Bus Master toggles.  The
# controller must come back after every reset; afterwards the function is
# rebound to nvme and must work, dmesg clean (90_canary_check checks host
# memory).  make check: fixed seed, 8000 steps, at most 50 s.  make fuzz:
# longer, new seed; replay one with NVMEV_FUZZ_SEED=S make fuzz.
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
[ -f /etc/nvmev-raw.conf ] && . /etc/nvmev-raw.conf
seed=${NVMEV_FUZZ_SEED:-20261201}
[ "$seed" = random ] && seed=$(( $(date +%s) % 1000000007 ))
count=${NVMEV_FUZZ_COUNT:-8000}
secs=${NVMEV_FUZZ_SECONDS:-50}
echo "fuzz seed $seed, $count steps, at most $secs s (replay: NVMEV_FUZZ_SEED=$seed NVMEV_FUZZ_COUNT=$count make fuzz)"
# on the host console too (kernel lines naming nvmev are shown)
echo "nvmev-raw: fuzz seed $seed, $count steps (replay: NVMEV_FUZZ_SEED=$seed NVMEV_FUZZ_COUNT=$count make fuzz)" >/dev/kmsg 2>/dev/null
raw_run "fuzz seed $seed" fuzz --seed "$seed" --count "$count" --seconds "$secs"

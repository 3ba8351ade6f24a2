#!/bin/sh
# timeout: 900
# Seeded fuzzer over the raw user-space driver (tests/raw/fuzz.c): random
# opcodes and fields, PRPs only into memory the fuzzer owns, queue
# create/delete, CC.EN and Bus Master toggles.  Two runs of one seed:
#   strict: no doorbell nonsense, and every command on a live SQ must
#           complete exactly once, no completion without its command;
#   chaos:  random doorbell values too; the controller must come back
#           after every reset.
# Afterwards the function is rebound to nvme and must work, dmesg clean
# (90_canary_check checks host memory).  make check: fixed seed, 4000 +
# 6000 steps, at most 25 + 30 s.  make fuzz: longer, new seed; replay one
# with NVMEV_FUZZ_SEED=S make fuzz.
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
[ -f /etc/nvmev-raw.conf ] && . /etc/nvmev-raw.conf
seed=${NVMEV_FUZZ_SEED:-20261201}
[ "$seed" = random ] && seed=$(( $(date +%s) % 1000000007 ))
count=${NVMEV_FUZZ_COUNT:-}
secs=${NVMEV_FUZZ_SECONDS:-}
replay="NVMEV_FUZZ_SEED=$seed${count:+ NVMEV_FUZZ_COUNT=$count} make fuzz"
echo "fuzz seed $seed (replay: $replay)"
# on the host console too (kernel lines naming nvmev are shown)
echo "nvmev-raw: fuzz seed $seed (replay: $replay)" >/dev/kmsg 2>/dev/null
raw_run "fuzz strict seed $seed" fuzz --strict --seed "$seed" \
	--count "${count:-4000}" --seconds "${secs:-25}"
raw_run "fuzz chaos seed $seed" fuzz --seed "$seed" \
	--count "${count:-6000}" --seconds "${secs:-30}"

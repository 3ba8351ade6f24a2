#!/bin/sh
# timeout: 180
# Parameter arithmetic (issue 7, defects 2 and 3): values that used to wrap
# the model's 64-bit checks (a divide error inside insmod) or its capacity
# formula (writes past the end of rmap[]) are refused, each with a message
# naming the parameter; afterwards a normal load still works.
. "$T_DIR/lib.sh"
need_nvmev
B="memmap_start=$NVMEV_MEMMAP_START memmap_size=$NVMEV_MEMMAP_SIZE cpus=$NVMEV_CPUS"
# shellcheck disable=SC2086
{
HOSTILE_EXPECT=pgs_per_blk hostile_insmod "pgs_per_blk=2^61" $B pgs_per_blk=2305843009213693952
HOSTILE_EXPECT=pgs_per_blk hostile_insmod "pgs_per_blk=2^64-1" $B pgs_per_blk=18446744073709551615
HOSTILE_EXPECT=gc_low_lines hostile_insmod "gc_low_lines near the line count" $B op_permille=0 gc_low_lines=502 gc_high_lines=503
HOSTILE_EXPECT=gc_low_lines hostile_insmod "gc_low_lines=2^32+2" $B gc_low_lines=4294967298
HOSTILE_EXPECT=blks_per_pl hostile_insmod "blks_per_pl=2^32" $B blks_per_pl=4294967296
HOSTILE_EXPECT=nr_ch hostile_insmod "nr_ch=2^63" $B nr_ch=9223372036854775808
HOSTILE_EXPECT=t_read_ns hostile_insmod "t_read_ns=2^64-1" $B t_read_ns=18446744073709551615
HOSTILE_EXPECT=ch_mbps hostile_insmod "ch_mbps=0" $B ch_mbps=0
HOSTILE_EXPECT=wb_bytes hostile_insmod "wb_bytes=2^62" $B wb_bytes=4611686018427387904
HOSTILE_EXPECT=idle_sleep_us hostile_insmod "idle_sleep_us=4e9" $B idle_sleep_us=4000000000
}
# a legal but unusual geometry still loads and works
expect_ok "insmod with gc_low_lines=100 gc_high_lines=120" nvmev_load gc_low_lines=100 gc_high_lines=120
wait_for_dev 30 || fail "device did not come up"
ok "device up"
rand_file "$W/d.bin" 65536
write_read_cmp 2048 "$W/d.bin"
expect_ok "rmmod" nvmev_unload
wait_for_no_dev 30 || fail "device still present after rmmod"
ok "device gone after rmmod"

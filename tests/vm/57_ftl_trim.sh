#!/bin/sh
# timeout: 300
# Deallocate (blkdiscard, nvme dsm) and Write Zeroes reach the FTL: the
# units are unmapped and read back as zeroes; ONCS/limits tell the host.
. "$T_DIR/lib.sh"
. "$T_DIR/ftl_lib.sh"
need_nvmev
check_true "discard advertised (discard_max_bytes $(cat /sys/block/nvme0n1/queue/discard_max_bytes))" \
	test "$(cat /sys/block/nvme0n1/queue/discard_max_bytes)" -gt 0
check_true "write zeroes advertised" \
	test "$(cat /sys/block/nvme0n1/queue/write_zeroes_max_bytes)" -gt 0
head -c 131072 /dev/zero >"$W/zero.bin"
rand_file "$W/pat.bin" 131072

trimmed() { ftl_stat trim_units; }
# 1) nvme dsm --ad on 128 KiB at LBA 8192
write_read_cmp 8192 "$W/pat.bin"
m0=$(ftl_stat mapped_units) t0=$(trimmed)
expect_ok "nvme dsm deallocate 256 LBAs at 8192" nvme dsm "$DEV" --ad -s 8192 -b 256
check_num "$(( $(trimmed) - t0 ))" 32 "32 units trimmed by DSM"
check_num "$(( m0 - $(ftl_stat mapped_units) ))" 32 "32 units unmapped by DSM"
expect_ok "read back deallocated range" nvme read "$DEV" --start-block=8192 --block-count=255 --data-size=131072 --data="$W/rb.bin"
check_true "deallocated range reads as zeroes" cmp "$W/zero.bin" "$W/rb.bin"

# 2) blkdiscard (block layer -> DSM) on 128 KiB at 16 MiB
dd if="$W/pat.bin" of="$DEV" bs=128k seek=128 count=1 oflag=direct 2>/dev/null || fail "dd write"
t0=$(trimmed)
expect_ok "blkdiscard 128 KiB at 16 MiB" blkdiscard -o $((16 << 20)) -l 131072 "$DEV"
check_num "$(( $(trimmed) - t0 ))" 32 "32 units trimmed by blkdiscard"
dd if="$DEV" of="$W/rb2.bin" bs=128k skip=128 count=1 iflag=direct 2>/dev/null || fail "dd read"
check_true "blkdiscarded range reads as zeroes" cmp "$W/zero.bin" "$W/rb2.bin"

# 3) nvme write-zeroes on 128 KiB at LBA 65536
write_read_cmp 65536 "$W/pat.bin"
t0=$(trimmed)
expect_ok "nvme write-zeroes 256 LBAs at 65536" nvme write-zeroes "$DEV" -s 65536 -c 255
check_num "$(( $(trimmed) - t0 ))" 32 "32 units unmapped by Write Zeroes"
expect_ok "read back zeroed range" nvme read "$DEV" --start-block=65536 --block-count=255 --data-size=131072 --data="$W/rb3.bin"
check_true "write-zeroed range reads as zeroes" cmp "$W/zero.bin" "$W/rb3.bin"

# 4) a partial unit: 1 LBA deallocated inside a written 4 KiB unit stays mapped
write_read_cmp 131072 "$W/pat.bin"
m0=$(ftl_stat mapped_units)
expect_ok "nvme dsm deallocate 1 LBA" nvme dsm "$DEV" --ad -s 131073 -b 1
check_num "$(ftl_stat mapped_units)" "$m0" "partial-unit deallocate leaves the unit mapped"
expect_ok "read the unit" nvme read "$DEV" --start-block=131072 --block-count=7 --data-size=4096 --data="$W/u.bin"
head -c 512 "$W/pat.bin" >"$W/exp.bin"
head -c 512 /dev/zero >>"$W/exp.bin"
dd if="$W/pat.bin" bs=512 skip=2 count=6 2>/dev/null >>"$W/exp.bin"
check_true "only the deallocated LBA reads as zeroes" cmp "$W/exp.bin" "$W/u.bin"

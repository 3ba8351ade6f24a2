#!/bin/sh
# nvme id-ctrl -b: the raw 4096-byte structure has the right values at the
# spec's byte offsets, and they agree with the text output.
. "$T_DIR/lib.sh"
need_dev
B=$W/idctrl.bin
nvme id-ctrl "$CTRL" -b >"$B" 2>"$W/err" || fail "nvme id-ctrl -b failed: $(cat "$W/err")"
check_num "$(stat -c %s "$B")" 4096 "binary size"
check_num "$(byte "$B" 512)" "$EXP_SQES" "sqes (byte 512)"
check_num "$(byte "$B" 513)" "$EXP_CQES" "cqes (byte 513)"
check_num "$(le "$B" 516 4)" "$EXP_NN" "nn (bytes 516..519)"
check_num "$(le "$B" 80 4)" "$EXP_VER" "ver (bytes 80..83)"
check_num "$(byte "$B" 77)" "$EXP_MDTS" "mdts (byte 77)"
check_eq "$(str "$B" 24 40)" "$EXP_MN" "mn (bytes 24..63)"
check_eq "$(str "$B" 4 20)" "$(id_ctrl_field sn)" "sn (bytes 4..23) = text sn"
check_eq "$(str "$B" 64 8)" "$(id_ctrl_field fr)" "fr (bytes 64..71) = text fr"
check_num "$(le "$B" 0 2)" "$(id_ctrl_field vid)" "vid (bytes 0..1) = text vid"
check_num "$(le "$B" 520 2)" "$(id_ctrl_field oncs)" "oncs (bytes 520..521) = text oncs"

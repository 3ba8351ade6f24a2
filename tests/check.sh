#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: unit tests (if tests/unit/Makefile exists), then the VM
# suite (tests/vm) on kernel 6.1 and 6.12, then the two-VM NVMe/TCP
# scenario on both (make check-fabric).  Every result line is printed as
#   [<suite>] PASS: name | FAIL: name: reason | SKIP: name: reason
# a VM that crashed or timed out counts as a failure (with its log tail),
# and the last line is exactly "N passed, N failed".
#
# Environment: NVMEV_CHECK_KERNELS="6.1 6.12" (default), NVMEV_VM_ARGS
# (extra nvmev-vm options, e.g. "--control"), NVMEV_SKIP_UNIT=1,
# NVMEV_SKIP_FABRIC=1 (the two-VM NVMe/TCP stage, tools/fabric/check-fabric),
# NVMEV_SKIP_DKMS=1 (the DKMS stage: make dkms-install for those kernels,
# then dkms-remove; builds only, loads nothing; skipped when nvmev is
# already installed in DKMS on this machine, so a user's install is never
# removed).
set -uo pipefail
# The whole script is one brace group: bash parses it before running it, so
# editing this file while a run is in progress cannot break that run.
{

REPO=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$REPO" || exit 2
KERNELS=${NVMEV_CHECK_KERNELS:-6.1 6.12}
read -r -a VM_ARGS <<<"${NVMEV_VM_ARGS:-}"
BUILD_ROOT=${NVMEV_BUILD_DIR:-$REPO/.build}
mkdir -p "$BUILD_ROOT"
RES=$BUILD_ROOT/check-results.txt
exec 7>"$RES.lock"
flock -n 7 || RES=$BUILD_ROOT/check-results.$$.txt
: >"$RES"
T_START=$(date +%s)

# Turn "PASS: x" lines of a run into "[suite] PASS: x" result lines.
collect() { # SUITE FILE
	grep -E '^(PASS|FAIL|SKIP): ' "$2" | sed "s/^/[$1] /" >>"$RES"
}

section() { printf '\n======== %s ========\n' "$*"; }

# 0. dependencies (a no-op when everything is installed)
if [ "${NVMEV_SKIP_DEPS:-0}" != 1 ]; then
	tools/vm/nvmev-vm --install-deps || { echo "dependency install failed"; echo "0 passed, 1 failed"; exit 1; }
fi

# 1. unit tests ---------------------------------------------------------------
if [ -f tests/unit/Makefile ] && [ "${NVMEV_SKIP_UNIT:-0}" != 1 ]; then
	section "unit tests (make unit)"
	ulog=$BUILD_ROOT/unit.log
	t0=$(date +%s)
	make --no-print-directory unit >"$ulog" 2>&1
	urc=$?
	grep -E '^(PASS|FAIL|SKIP)' "$ulog" | grep -Ev '^(PASS|FAIL|SKIP)[^:]' || true
	collect unit "$ulog"
	npass=$(grep -c '^PASS' "$ulog")
	if [ "$urc" != 0 ] && ! grep -q '^FAIL' "$ulog"; then
		echo "FAIL: make_unit: exited $urc without a FAIL line" | tee -a "$ulog"
		echo "[unit] FAIL: make_unit: exited $urc without a FAIL line (see $ulog)" >>"$RES"
		tail -20 "$ulog" | sed 's/^/  | /'
	elif [ "$npass" = 0 ] && [ "$urc" = 0 ]; then
		echo "[unit] FAIL: make_unit: no test ran" >>"$RES"
	fi
	echo "unit tests: exit $urc, $(( $(date +%s) - t0 ))s (log: $ulog)"
fi

# 1b. DKMS: install for every kernel with headers, check, remove -------------
# The newest /lib/modules/<release> of a kernel series (6.1, 6.12) with headers.
krel_of() {
	local r best=""
	for r in $(ls /lib/modules 2>/dev/null | sort -V); do
		case $r in "$1".*|"$1"-*) [ -f "/lib/modules/$r/build/Makefile" ] && best=$r;; esac
	done
	echo "$best"
}
dkms_stage() {
	local dlog=$BUILD_ROOT/dkms.log t0 k rel ko st SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	t0=$(date +%s)
	: >"$dlog"
	dres() { echo "$1" | tee -a "$dlog"; echo "[dkms] $1" >>"$RES"; }
	if ! command -v dkms >/dev/null 2>&1; then
		echo "installing dkms" | tee -a "$dlog"
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends dkms >>"$dlog" 2>&1 || {
			$SUDO apt-get update -q >>"$dlog" 2>&1
			DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends dkms >>"$dlog" 2>&1
		} || { dres "FAIL: dkms_install: apt-get install dkms failed (see $dlog)"; return; }
	fi
	if [ -n "$(dkms status nvmev 2>/dev/null)" ]; then
		dres "SKIP: dkms: nvmev is already installed in DKMS here ($(dkms status nvmev | head -n 1)); not touching it"
		return
	fi
	if make --no-print-directory dkms-install >>"$dlog" 2>&1; then
		dres "PASS: dkms_install"
	else
		dres "FAIL: dkms_install: make dkms-install failed: $(grep -iE 'error|bad exit' "$dlog" | head -n 1 | cut -c1-160)"
		tail -20 "$dlog" | sed 's/^/  | /'
	fi
	st=$(dkms status nvmev 2>/dev/null)
	echo "$st" | sed 's/^/dkms status: /' | tee -a "$dlog"
	for k in $KERNELS; do
		rel=$(krel_of "$k")
		if [ -z "$rel" ]; then
			dres "FAIL: dkms_$k: no kernel $k with headers in /lib/modules"
			continue
		fi
		ko=$(ls /lib/modules/"$rel"/updates/dkms/nvmev.ko* 2>/dev/null | head -n 1)
		if ! echo "$st" | grep -q ", $rel, .*: installed"; then
			dres "FAIL: dkms_$k: dkms status does not say installed for $rel"
		elif [ -z "$ko" ]; then
			dres "FAIL: dkms_$k: no nvmev.ko* in /lib/modules/$rel/updates/dkms"
		elif [ "$(modinfo -k "$rel" -F vermagic nvmev 2>/dev/null | cut -d' ' -f1)" != "$rel" ]; then
			dres "FAIL: dkms_$k: modinfo -k $rel nvmev does not give vermagic $rel"
		else
			dres "PASS: dkms_$k: $ko, modinfo version $(modinfo -k "$rel" -F version nvmev)"
		fi
	done
	make --no-print-directory dkms-remove >>"$dlog" 2>&1
	if [ -n "$(dkms status nvmev 2>/dev/null)" ] || ls /lib/modules/*/updates/dkms/nvmev.ko* >/dev/null 2>&1 ||
		ls -d /usr/src/nvmev-* >/dev/null 2>&1; then
		dres "FAIL: dkms_remove: nvmev left behind: $(dkms status nvmev 2>/dev/null | head -n 1) $(ls /lib/modules/*/updates/dkms/nvmev.ko* /usr/src 2>/dev/null | grep nvmev | head -n 2 | tr '\n' ' ')"
	else
		dres "PASS: dkms_remove"
	fi
	echo "DKMS stage: $(( $(date +%s) - t0 ))s (log: $dlog)"
}
if [ "${NVMEV_SKIP_DKMS:-0}" != 1 ] && [ "$KERNELS" != debug ]; then
	section "DKMS (make dkms-install / dkms-remove; builds only)"
	dkms_stage
fi

# 2. VM suite per kernel -------------------------------------------------------
for k in $KERNELS; do
	section "VM check on kernel $k ${VM_ARGS[*]:-}"
	vlog=$BUILD_ROOT/check-$k.out
	exec 8>"$vlog.lock"
	flock -n 8 || vlog=$BUILD_ROOT/check-$k.$$.out
	t0=$(date +%s)
	tools/vm/nvmev-vm --kernel "$k" "${VM_ARGS[@]}" check 2>&1 | tee "$vlog"
	vrc=${PIPESTATUS[0]}
	suite="vm-$k"
	# tests/vm results: only "PASS|FAIL|SKIP: " lines at line start
	collect "$suite" "$vlog"
	if [ "$vrc" = 2 ]; then
		echo "[$suite] FAIL: vm_build: nvmev-vm could not build/boot (exit 2; see above)" >>"$RES"
	elif [ "$vrc" = 3 ]; then
		echo "[$suite] FAIL: vm_run: VM crashed or timed out before the suite finished" >>"$RES"
	elif ! grep -qE '^(PASS|FAIL): ' "$vlog"; then
		echo "[$suite] FAIL: vm_run: no test result at all (exit $vrc)" >>"$RES"
	fi
	echo "kernel $k: nvmev-vm exit $vrc, $(( $(date +%s) - t0 ))s"
done

# 2b. the two-VM NVMe/TCP scenario (make check-fabric) --------------------------
# Not with --control (no nvmev to export) nor on the debug kernel.
if [ "${NVMEV_SKIP_FABRIC:-0}" != 1 ] && [ "$KERNELS" != debug ] &&
	! [[ " ${VM_ARGS[*]:-} " == *" --control "* ]]; then
	section "fabric: two VMs, NVMe/TCP (make check-fabric) on $KERNELS"
	t0=$(date +%s)
	NVMEV_FABRIC_KERNELS="$KERNELS" NVMEV_FABRIC_RESULTS="$RES" NVMEV_VM_ARGS="${VM_ARGS[*]:-}" \
		tools/fabric/check-fabric 2>&1 | sed -E 's/^([0-9]+ passed, [0-9]+ failed)$/fabric stage: \1/'
	echo "fabric stage: $(( $(date +%s) - t0 ))s"
fi

# 3. Summary ------------------------------------------------------------------
section "results ($(( $(date +%s) - T_START ))s)"
cat "$RES"
npass=$(grep -c '\] PASS: ' "$RES")
nfail=$(grep -c '\] FAIL: ' "$RES")
nskip=$(grep -c '\] SKIP: ' "$RES")
echo
[ "$nskip" -gt 0 ] && echo "($nskip skipped)"
echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
exit
}

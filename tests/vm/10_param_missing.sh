#!/bin/sh
# A partial set of the device parameters is refused, naming what is
# missing; none at all loads the module without a device and says how to
# make one.
. "$T_DIR/lib.sh"
HOSTILE_EXPECT=memmap_size hostile_insmod "no memmap_size" memmap_start="$NVMEV_MEMMAP_START" cpus="$NVMEV_CPUS"
HOSTILE_EXPECT=memmap_start hostile_insmod "no memmap_start" memmap_size="$NVMEV_MEMMAP_SIZE" cpus="$NVMEV_CPUS"
HOSTILE_EXPECT=cpus hostile_insmod "no cpus" memmap_start="$NVMEV_MEMMAP_START" memmap_size="$NVMEV_MEMMAP_SIZE"
HOSTILE_EXPECT=memmap_start hostile_insmod "cpus alone" cpus="$NVMEV_CPUS"

# no parameters: a module without a device
_n0=$(kmsg_lines)
_pci0=$(ls /sys/bus/pci/devices | wc -l)
expect_ok "insmod without parameters" insmod /nvmev.ko
check_true "configfs directory /sys/kernel/config/nvmev exists" test -d /sys/kernel/config/nvmev
check_eq "$(ls /sys/kernel/config/nvmev | grep -v '^features$' | wc -l)" 0 "no controller in configfs"
check_num "$(ls /sys/bus/pci/devices | wc -l)" "$_pci0" "no PCI function added"
check_true "no nvme controller" test ! -e /sys/class/nvme/nvme0
_msg=$(kmsg_all | tail -n +$((_n0 + 1)) | grep 'nvmev' | grep -i 'without a device')
echo "$_msg"
check_true "dmesg says how to make a device" sh -c "echo '$_msg' | grep -q 'mkdir /sys/kernel/config/nvmev'"
expect_ok "rmmod" rmmod nvmev
check_true "module gone" test ! -d /sys/module/nvmev

#!/bin/bash
# PID 1 inside user-mode Linux, started by scripts/with-vcan. The root file system is the host's
# (hostfs); everything mounted here is private to the UML instance. WITH_VCAN_DIR (from the kernel
# command line) holds the caller's environment, working directory and command.
set -u
dir="$WITH_VCAN_DIR"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

finish() {
  echo "$1" > "$dir/rc"
  sync
  # Power off at once (reboot(2), LINUX_REBOOT_CMD_POWER_OFF): nothing inside needs a clean shutdown.
  perl -e 'syscall(169, 0xfee1dead, 672274793, 0x4321fedc, 0)' 2>/dev/null
  echo o > /proc/sysrq-trigger
  sleep 10
}

mount -t proc proc /proc
mount -t sysfs sys /sys
# The UML kernel usually mounts devtmpfs itself; otherwise mount it, or build a minimal /dev.
if [ ! -c /dev/null ] && ! mount -t devtmpfs dev /dev; then
  # No devtmpfs in this UML kernel: a tmpfs with the few device nodes programs need.
  mount -t tmpfs -o mode=755 dev /dev
  mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5; mknod -m 666 /dev/full c 1 7
  mknod -m 666 /dev/random c 1 8; mknod -m 666 /dev/urandom c 1 9
  mknod -m 666 /dev/tty c 5 0; mknod -m 600 /dev/console c 5 1; mknod -m 666 /dev/ptmx c 5 2
  ln -s /proc/self/fd /dev/fd; ln -s /proc/self/fd/0 /dev/stdin
  ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr
fi
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs shm /dev/shm
mount -t tmpfs run /run
stty -onlcr 2>/dev/null   # keep the command's output byte-identical on the host
ip link set lo up
echo 1 > /proc/sys/kernel/printk   # only emergencies reach the console

. "$dir/config"   # VCAN_COUNT, SERVICES, KMOD_DIR
for mod in net/can/can.ko net/can/can-raw.ko drivers/net/can/dev/can-dev.ko drivers/net/can/vcan.ko; do
  insmod "$KMOD_DIR/kernel/$mod" || { echo "with-vcan: insmod $mod failed" >&2; finish 125; }
done
for ((i = 0; i < VCAN_COUNT; i++)); do
  ip link add dev "vcan$i" type vcan && ip link set "vcan$i" mtu 72 && ip link set up "vcan$i" || { echo "with-vcan: cannot create vcan$i" >&2; finish 125; }
done

if [ "$SERVICES" = 1 ]; then
  "$(dirname "$0")/services.sh" start "$dir" || finish 125
fi

# The caller's environment and working directory, then the command.
. "$dir/env"
export WITH_VCAN_MODE=uml
# The host's services are not reachable from inside (UML has its own loopback): use ours or none.
unset DATABASE_URL MQTT_URL
if [ "$SERVICES" = 1 ]; then . "$dir/services.env"; fi
cd "$(cat "$dir/cwd")" || finish 125
bash "$dir/cmd" < /dev/null
finish $?

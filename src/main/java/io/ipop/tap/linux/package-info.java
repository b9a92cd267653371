/**
 * The Linux TAP device: {@link io.ipop.tap.linux.LinuxTap} creates and configures an interface through
 * {@code /dev/net/tun} and interface ioctls called with JNR-FFI (no {@code ip} subprocesses).
 * Everything native (the libc binding, {@code struct ifreq} layout, errno) stays package-private.
 */
package io.ipop.tap.linux;

#!/usr/bin/env bash
# make deb: installable Debian packages (linux-image, linux-headers) of the
# patched kernel, configured from Debian's own amd64 config (package
# linux-config-6.1) for real hardware. Not part of 'make test': on 2 cores
# this takes hours. Output: build/deb/*.deb.
#
# Debian's config signs modules with Debian's keys, which are not
# available here: signing and Debian's trusted keys are turned off, and
# debug info is off unless DEB_DEBUG_INFO=1. The test PMU is added as a
# module (perf_test_pmu, loaded only on request) so that 'make deb-boot'
# can run the demo on the packaged kernel; Debian's config has everything
# else it needs (DEBUG_KERNEL, debugfs).
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. "$TOP/configs/base"
need_tree
# Debian's config comes from the package linux-config-6.1, downloaded and
# unpacked outside the clone, not installed: installing it would upgrade
# linux-source-6.1 past the pinned base to the same revision. The archive
# keeps only the newest linux-config-6.1 of each suite, which can be a
# Debian revision past the pinned source (6.1.192-3 for -2, say): that
# one then, as the output says (its config differs from the pinned
# revision's only where Debian changed it in that revision).
cfgdir=${DEB_CONFIG_DIR:-$HOME/.cache/perf-series/linux-config}
if apt-cache madison linux-config-6.1 | awk '{ print $3 }' | grep -qx "$BASE_PKG_VERSION"; then
	cfgver=$BASE_PKG_VERSION
else
	cfgver=$(apt-cache madison linux-config-6.1 | awk '{ print $3 }' | sort -V | tail -n 1)
	[ -n "$cfgver" ] || die "no linux-config-6.1 in the archive (apt-get update?)"
	echo "linux-config-6.1 $BASE_PKG_VERSION is no longer in the archive: using $cfgver"
fi
cfg=$cfgdir/$cfgver/usr/src/linux-config-6.1/config.amd64_none_amd64.xz
if [ ! -f "$cfg" ]; then
	rm -rf "${cfgdir:?}/$cfgver"
	mkdir -p "$cfgdir/$cfgver"
	(cd "$cfgdir" && apt-get download "linux-config-6.1=$cfgver") ||
		die "cannot download linux-config-6.1 $cfgver"
	dpkg-deb -x "$cfgdir/linux-config-6.1_${cfgver}_amd64.deb" "$cfgdir/$cfgver"
	rm -f "$cfgdir/linux-config-6.1_${cfgver}_amd64.deb"
	[ -f "$cfg" ] || die "linux-config-6.1 $cfgver has no $(basename "$cfg")"
fi
echo "config: $(basename "$cfg") of linux-config-6.1 $cfgver"
# What only this target needs, installed here: fakeroot for
# dpkg-buildpackage (bindeb-pkg), and openssl to make the module signing
# key that Debian's config asks for.
pkgs=()
command -v fakeroot >/dev/null 2>&1 || pkgs+=(fakeroot)
command -v openssl >/dev/null 2>&1 || pkgs+=(openssl)
if [ ${#pkgs[@]} -gt 0 ]; then
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get install -y --no-install-recommends "${pkgs[@]}" ||
		die "cannot install ${pkgs[*]}"
fi
need dpkg-deb dpkg-buildpackage fakeroot openssl
out=$BUILD/deb/obj
mkdir -p "$out"
xz -dc "$cfg" >"$out/.config"
"$LINUX/scripts/config" --file "$out/.config" \
	--set-str LOCALVERSION "-perf-series" \
	--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
	--set-str MODULE_SIG_KEY "certs/signing_key.pem" \
	--disable MODULE_SIG_ALL --disable SECURITY_LOCKDOWN_LSM \
	--module PERF_TEST_PMU
if [ "${DEB_DEBUG_INFO:-0}" != 1 ]; then
	# Every other member of the DWARF choice off: Debian's picks the
	# toolchain default, which would win over NONE.
	"$LINUX/scripts/config" --file "$out/.config" --disable DEBUG_INFO \
		--disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT --disable DEBUG_INFO_DWARF4 \
		--disable DEBUG_INFO_DWARF5 --disable DEBUG_INFO_BTF --enable DEBUG_INFO_NONE
fi
# A native amd64 build, no cross compiler (both read by kmake)
# shellcheck disable=SC2034
ARCH=x86_64 CROSS_COMPILE=
step "configure from Debian's amd64 config" "$LOGS/deb-config.log" kmake "$LINUX" "$out" olddefconfig
if [ "${DEB_DEBUG_INFO:-0}" != 1 ] && ! grep -qx 'CONFIG_DEBUG_INFO_NONE=y' "$out/.config"; then
	die "debug info is still on in $(rel "$out/.config")"
fi
step "build Debian packages (bindeb-pkg)" "$LOGS/deb-build.log" \
	kmake "$LINUX" "$out" KDEB_PKGVERSION="$BASE_PKG_VERSION+perfseries1" bindeb-pkg
ls -1 "$BUILD"/deb/*.deb
echo "install on the test machine with: dpkg -i linux-image-*.deb, then boot it"

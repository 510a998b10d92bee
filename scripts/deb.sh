#!/usr/bin/env bash
# make deb: installable Debian packages (linux-image, linux-headers) of the
# patched kernel, configured from Debian's own amd64 config (package
# linux-config-6.1) for real hardware. Not part of 'make test': on 2 cores
# this takes hours. Output: build/deb/*.deb.
#
# Debian's config signs modules with Debian's keys, which are not
# available here: signing and Debian's trusted keys are turned off, and
# debug info is off unless DEB_DEBUG_INFO=1.
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. "$TOP/configs/base"
need_tree
cfg=/usr/src/linux-config-6.1/config.amd64_none_amd64.xz
# What only this target needs, installed here: Debian's config, fakeroot
# for dpkg-buildpackage (bindeb-pkg), and openssl to make the module
# signing key that Debian's config asks for.
pkgs=()
[ -f "$cfg" ] || pkgs+=("linux-config-6.1=$BASE_PKG_VERSION")
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
	--disable MODULE_SIG_ALL --disable SECURITY_LOCKDOWN_LSM
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

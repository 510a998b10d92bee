#!/usr/bin/env bash
# Install the Debian packages listed in configs/packages (and the pinned
# kernel source, through 'make tree'), then download and unpack the
# packages of other architectures listed in configs/foreign-packages into
# $FOREIGN/ARCH/ (~/.cache/perf-series/foreign), without installing them.
# Needs root or sudo.
. "$(dirname "$0")/lib.sh"

list() { sed -e 's/#.*//' "$1" | tr -s ' \t' '\n' | sed '/^$/d'; }

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
mkdir -p "$LOGS"
updated=0
apt_update() {
	[ "${APT_UPDATE:-1}" = 1 ] && [ $updated -eq 0 ] || return 0
	$sudo apt-get update >"$LOGS/apt-update.log" 2>&1 || die "apt-get update failed: $(rel "$LOGS/apt-update.log")"
	updated=1
}

mapfile -t pkgs < <(list "$TOP/configs/packages")
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages installed"
else
	echo "deps: installing ${missing[*]}"
	apt_update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}" \
		>"$LOGS/apt-install.log" 2>&1 || die "apt-get install failed: $(rel "$LOGS/apt-install.log")"
fi

# Foreign packages: 'apt-get download' needs the architecture in dpkg's
# list (multiarch), and package lists for it.
mapfile -t foreign < <(list "$TOP/configs/foreign-packages")
for p in "${foreign[@]}"; do
	name=${p%%:*} arch=${p#*:}
	dest=$FOREIGN/$arch
	[ -f "$dest/.unpacked-$name" ] && continue
	if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		echo "deps: adding the $arch architecture to dpkg (multiarch) for $p"
		$sudo dpkg --add-architecture "$arch"
		updated=0
	fi
	apt_update
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	echo "deps: downloading $p into $dest"
	(cd "$tmp" && apt-get download "$p") >"$LOGS/apt-download.log" 2>&1 ||
		{ rm -rf "$tmp"; die "apt-get download $p failed: $(rel "$LOGS/apt-download.log")"; }
	mkdir -p "$dest"
	dpkg-deb -x "$tmp"/*.deb "$dest"
	dpkg-deb -f "$tmp"/*.deb Version >"$dest/.unpacked-$name"
	rm -rf "$tmp"
done
echo "deps: done"

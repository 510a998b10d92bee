#!/usr/bin/env bash
# Install the Debian packages listed in configs/packages (and the pinned
# kernel source, through 'make tree'). Needs root or sudo.
. "$(dirname "$0")/lib.sh"
mapfile -t pkgs < <(sed -e 's/#.*//' "$TOP/configs/packages" | tr -s ' \t' '\n' | sed '/^$/d')
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages installed"
	exit 0
fi
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "deps: installing ${missing[*]}"
mkdir -p "$LOGS"
if [ "${APT_UPDATE:-1}" = 1 ]; then
	$sudo apt-get update >"$LOGS/apt-update.log" 2>&1 || die "apt-get update failed: $(rel "$LOGS/apt-update.log")"
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}" \
	>"$LOGS/apt-install.log" 2>&1 || die "apt-get install failed: $(rel "$LOGS/apt-install.log")"
echo "deps: done"

#!/usr/bin/env bash
# make tree: create linux/ (pristine base tagged 'base' + the series applied
# with git am, one commit per patch), or re-create it from patches/.
#
# An existing linux/ is replaced only when that loses nothing: no
# uncommitted changes, and its commits are either what patches/ holds or
# exactly what the last 'make tree'/'make export' left (so patches/ moved
# on, e.g. after a pull). FORCE=1 overrides.
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. "$TOP/configs/base"

install_source() {
	local have
	have=$(dpkg-query -W -f '${Version}' "$DEBIAN_SRC_PKG" 2>/dev/null || true)
	[ "$have" = "$BASE_PKG_VERSION" ] && [ -f "$DEBIAN_SRC_TARBALL" ] && return 0
	echo "  installing $DEBIAN_SRC_PKG=$BASE_PKG_VERSION (have: ${have:-none})"
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get install -y --no-install-recommends --allow-downgrades \
		"$DEBIAN_SRC_PKG=$BASE_PKG_VERSION" >"$LOGS/apt-linux-source.log" 2>&1 ||
		die "cannot install $DEBIAN_SRC_PKG=$BASE_PKG_VERSION (log: $(rel "$LOGS/apt-linux-source.log")); if Debian dropped it, move configs/base to the current version and rebase the series"
}

import_base() {
	local tmp=$TOP/linux.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$DEBIAN_SRC_TARBALL" -C "$tmp" --strip-components=1
	git -C "$tmp" init -q -b master
	# Debian's top-level .gitignore ignores everything ('/*'): add by force.
	git -C "$tmp" add -A -f
	GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE \
		git -C "$tmp" -c user.name="$SERIES_NAME" -c user.email="$SERIES_EMAIL" \
		commit -q -m "Linux 6.1 as Debian ships it ($DEBIAN_SRC_PKG $BASE_PKG_VERSION)"
	git -C "$tmp" tag base
	local tree
	tree=$(git -C "$tmp" rev-parse 'base^{tree}')
	[ "$tree" = "$BASE_TREE" ] ||
		die "imported tree $tree is not the expected base $BASE_TREE (configs/base)"
	mv "$tmp" "$LINUX"
}

configure_repo() {
	git -C "$LINUX" config user.name "$SERIES_NAME"
	git -C "$LINUX" config user.email "$SERIES_EMAIL"
	git -C "$LINUX" config core.abbrev 12
	git -C "$LINUX" config am.threeWay false
	git -C "$LINUX" config gc.auto 0
}

apply_series() {
	git -C "$LINUX" checkout -q -B master base
	local p n=0
	while read -r p; do
		git -C "$LINUX" am -q --committer-date-is-author-date "$TOP/patches/$p" ||
			die "patches/$p does not apply (git -C linux am --abort to clean up)"
		n=$((n + 1))
	done < <("$TOP/scripts/series-list.sh")
	git -C "$LINUX" rev-parse HEAD >"$LINUX/.git/perf-series-synced"
	echo "  linux/: base + $n patches applied"
}

mkdir -p "$LOGS"
if [ -d "$LINUX/.git" ]; then
	if [ "${FORCE:-0}" != 1 ]; then
		[ -z "$(git -C "$LINUX" status --porcelain --untracked-files=no)" ] ||
			die "linux/ has uncommitted changes: commit and 'make export' them (or FORCE=1 to discard)"
		synced=$(cat "$LINUX/.git/perf-series-synced" 2>/dev/null || true)
		if [ "$(git -C "$LINUX" rev-parse HEAD)" != "$synced" ] &&
			! "$TOP/scripts/check-sync.sh" >/dev/null 2>&1; then
			die "linux/ has commits that are not in patches/: 'make export' them first (or FORCE=1 to discard)"
		fi
	fi
	configure_repo
	apply_series
	exit 0
fi

need tar xz git
install_source
echo "  importing $DEBIAN_SRC_TARBALL into linux/"
import_base
configure_repo
apply_series

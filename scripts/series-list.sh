#!/usr/bin/env bash
# Print the patch file names listed in patches/series, in order.
. "$(dirname "$0")/lib.sh"
[ -f "$TOP/patches/series" ] || exit 0
sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$TOP/patches/series"

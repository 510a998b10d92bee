#!/usr/bin/env bash
# Read patches/topics (the topic series, in the order of their commits in
# linux/ and of 'make tree'):
#
#   topics.sh names          the topics, in order
#   topics.sh count TOPIC    its number of patches
#   topics.sh deps TOPIC     the topics it applies on top of, in order
. "$(dirname "$0")/lib.sh"
f=$TOP/patches/topics
[ -f "$f" ] || die "$(rel "$f") is missing"
rows() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$f"; }
case ${1:-} in
names) rows | awk '{ print $1 }' ;;
count | deps)
	row=$(rows | awk -v t="${2:?topic missing}" '$1 == t')
	[ -n "$row" ] || die "no topic '$2' in $(rel "$f")"
	if [ "$1" = count ]; then
		echo "$row" | awk '{ print $2 }'
	else
		echo "$row" | awk '{ for (i = 3; i <= NF; i++) printf "%s%s", (i > 3 ? " " : ""), $i; print "" }'
	fi
	;;
*) die "usage: topics.sh names | count TOPIC | deps TOPIC" ;;
esac

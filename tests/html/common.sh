# common.sh: sourced by the HTML tests. Reads GOLDEN into "NAME ARGS" lines
# and turns one line's arguments into "$@" with captures/ and tests/ paths
# made absolute; html_page writes the page of a line.
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top=$(cd "$top" && pwd)
build=$(cd "${top_builddir:-.}" && pwd)
bin=$build/tlsautopsy
here=$top/tests/html
export TZ=UTC LC_ALL=C
# The uninstalled build reads the root store history from the tree.
export TLSAUTOPSY_TRUST_HISTORY="${TLSAUTOPSY_TRUST_HISTORY:-$top/data/trust-history}"

golden_list() {
	grep -v '^[[:space:]]*#' "$here/GOLDEN" | grep -v '^[[:space:]]*$'
}

# html_page OUT ARGS...: the page, normalised as the goldens are.
html_page() {
	out=$1
	shift
	for a in "$@"; do
		shift
		case "$a" in
		captures/*|tests/*) set -- "$@" "$top/$a" ;;
		*) set -- "$@" "$a" ;;
		esac
	done
	rc=0
	(cd "$top" && "$bin" "$@" --html "$out.tmp" >/dev/null 2>"$out.err") || rc=$?
	if [ "$rc" -gt 1 ] || [ ! -f "$out.tmp" ]; then
		echo "html_page: tlsautopsy exited $rc: $(cat "$out.err")" >&2
		rm -f "$out.tmp" "$out.err"
		return 1
	fi
	rm -f "$out.err"
	sed -e "s|$top/||g" -e 's/tlsautopsy [0-9][0-9.]*[0-9]/tlsautopsy VERSION/g' \
		"$out.tmp" >"$out" && rm -f "$out.tmp"
}

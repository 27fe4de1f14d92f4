#!/usr/bin/env bash
# ensure-deps.sh GROUP...: make sure the Debian packages a target needs are installed.
# As root, installs what is missing with apt-get and says so; otherwise stops with the
# exact command to run. Groups: build (runtime, variants, tests, benchmarks), verify (make
# verify's memcheck), plot, paper, peers (the Go and Erlang ping-pong peers, make peers).
set -euo pipefail

missing=()
need_pkgconfig() {	# pkg-config module, Debian package
	pkg-config --exists "$1" 2>/dev/null || missing+=("$2")
}
need_cmd() {		# command, Debian package
	command -v "$1" >/dev/null 2>&1 || missing+=("$2")
}
need_file() {		# file, Debian package
	[ -e "$1" ] || missing+=("$2")
}

for group in "$@"; do
	case "$group" in
	build)
		need_cmd pkg-config pkg-config
		need_cmd prove perl
		if command -v pkg-config >/dev/null 2>&1; then
			need_pkgconfig ck libck-dev
			need_pkgconfig hwloc libhwloc-dev
			need_pkgconfig benchmark libbenchmark-dev
			need_pkgconfig liburcu-memb liburcu-dev
			need_pkgconfig lua5.4 liblua5.4-dev
		else
			missing+=(libck-dev libhwloc-dev libbenchmark-dev liburcu-dev liblua5.4-dev)
		fi
		need_cmd hwloc-ls hwloc
		need_cmd g++ g++
		need_cmd spin spin	# the SCQ model check (tests/test_model_check.sh)
		;;
	verify)
		need_cmd valgrind valgrind
		;;
	plot)
		need_file /usr/lib/python3/dist-packages/matplotlib python3-matplotlib
		;;
	paper)
		need_cmd latexmk latexmk
		need_cmd pdflatex texlive-latex-base
		need_file /usr/share/texlive/texmf-dist/tex/latex/booktabs/booktabs.sty texlive-latex-recommended
		need_file /usr/share/texmf/fonts/type1/public/lm lmodern
		need_cmd pdftoppm poppler-utils
		;;
	peers)
		need_cmd go golang-go
		need_cmd erlc erlang-base
		need_cmd erl erlang-base
		;;
	*)
		echo "ensure-deps.sh: unknown group '$group' (build, verify, plot, paper, peers)" >&2
		exit 2
		;;
	esac
done

[ ${#missing[@]} -eq 0 ] && exit 0
# de-duplicate, keep order
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "skybench: missing Debian packages: ${missing[*]}" >&2
	echo "skybench: run as root:  apt-get update && $cmd" >&2
	exit 1
fi
echo "skybench: installing missing Debian packages: ${missing[*]}"
echo "+ apt-get update -qq"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
echo "+ $cmd"
DEBIAN_FRONTEND=noninteractive $cmd

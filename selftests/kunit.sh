#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Loads mptcp_rs.ko and reports the KUnit suites it ran (they run at load
# time and print KTAP to the kernel log).

. "$(dirname "$0")/lib.sh"

ktap_header "kunit: the module's #[kunit_tests] suites"

rmmod mptcp_rs 2>/dev/null
mark=$(dmesg | wc -l)
insmod "$MPTCP_RS_KO"
ktap_result $? "insmod mptcp_rs.ko"

# KUnit prints "    ok N case" (or "not ok") for each case of a suite,
# indented under "    # Subtest: <suite>".
suites=0
while read -r line; do
	case $line in
	"# Subtest: mptcp_rs_"*)
		suite=${line#"# Subtest: "}
		suites=$((suites + 1))
		;;
	"ok "[0-9]*" "*|"not ok "[0-9]*" "*)
		[ -n "${suite:-}" ] || continue
		name=${line#*ok }
		name=${name#* }
		if [ "${line%% *}" = ok ]; then
			case $name in
			*"# SKIP"*) ktap_fail "$suite.${name%% #*} (skipped)" ;;
			"$suite") suite= ;;
			*) ktap_pass "$suite.$name" ;;
			esac
		else
			if [ "$name" = "$suite" ]; then suite=; else ktap_fail "$suite.$name"; fi
		fi
		;;
	esac
done < <(dmesg | tail -n +"$((mark + 1))" | sed -e 's/^\[[^]]*\] *//')

[ "$suites" -gt 0 ]
ktap_result $? "the module ran its KUnit suites ($suites)"
ktap_finish

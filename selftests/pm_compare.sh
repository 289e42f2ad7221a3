#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pm_compare.sh <results-dir>: the kernel's mptcp_join.sh group by group,
# with the kernel's path manager and with rs_kernel, from the reports
# kernel_pm_suites.sh left (pm-<pm>-mptcp_join.groups).  Prints nothing
# when neither ran.

dir=$1
c=$dir/pm-kernel-mptcp_join.groups
rs=$dir/pm-rs_kernel-mptcp_join.groups
[ -f "$c" ] || [ -f "$rs" ] || exit 0

echo "mptcp_join.sh, passed/total per group:"
printf '  %-8s %-12s %-12s\n' group kernel rs_kernel
awk -v c="$c" -v rs="$rs" '
	function load(file, arr, order,   g, p, t) {
		while ((getline line < file) > 0) {
			split(line, f, " ")
			arr[f[1]] = f[2] "/" f[3]
			if (!(f[1] in seen)) { seen[f[1]] = 1; groups[++n] = f[1] }
			tot[file, "p"] += f[2]; tot[file, "t"] += f[3]
		}
	}
	BEGIN {
		load(c, cr); load(rs, rr)
		for (i = 1; i <= n; i++)
			printf "  %-8s %-12s %-12s\n", groups[i], (groups[i] in cr) ? cr[groups[i]] : "-",
				(groups[i] in rr) ? rr[groups[i]] : "-"
		printf "  %-8s %-12s %-12s\n", "total", tot[c, "p"] + 0 "/" tot[c, "t"] + 0,
			tot[rs, "p"] + 0 "/" tot[rs, "t"] + 0
	}'

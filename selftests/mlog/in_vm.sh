#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Single-node selftests, run inside one VM by selftests/run.
set -u
dir=$(dirname "$0")
bin=$MLOG_REPO/build/selftests
rc=0
for t in "$bin/af_mlog_test" "$bin/netlink_test" "$dir/netns_veth.sh" "$dir/rdm_local.sh" "$dir/slog_local.sh" "$dir/privilege.sh" "$dir/load_unload.sh"; do
	echo "# ==== $(basename "$t")"
	"$t" || rc=1
done
exit $rc

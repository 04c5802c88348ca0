#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mutants.sh SECONDS: prove that the frame harness finds bugs.  Each
# mutant is a copy of kmod/frame.c under $OUT/mutants/ with one planted
# bug (one sed expression); it is built with the unchanged harness and
# fuzzed for at most SECONDS.  A mutant is "killed" when the fuzzer
# crashes on it.  The real kmod/frame.c is never modified.  Called by
# "make -C fuzz mutants" with OUT, FUZZ, REPO, CLANG, FUZZ_CFLAGS and
# EXTRA_CFLAGS set (EXTRA_CFLAGS=-DMLOG_FUZZ_NO_ORACLE: invariants only).

secs=$1
killed=0
survived=0

# name|sed expression applied to a copy of kmod/frame.c
mutants='
no-length-check|s/len < MLOG_WIRE_HDR_LEN)/len < 2)/
no-version-check|s/f->version != MLOG_WIRE_VERSION/0/
no-hdrlen-align|s/(f->hdr_len \& 7)/0/
type-off-by-one|s/f->type >= __MLOG_FRAME_TYPE_MAX/f->type > __MLOG_FRAME_TYPE_MAX/
no-known-flags|s/(f->flags \& ~MLOG_F_KNOWN) ||/0 ||/
no-frag-map-flag|s/(f->frag_map \&\& !(f->flags \& MLOG_F_FRAG_MAP))/0/
no-dup-needs-ack|s/(f->flags \& MLOG_F_DUP) \&\& !(f->flags \& MLOG_F_ACK)/0/
frag-map-low-only|s/get_unaligned_be16(p + OFF(frag_map_hi)) << 32/0/
no-max-msg|s/f->msg_len > MLOG_MAX_MSG ||/0 ||/
no-frag-off|s/f->frag_off > f->msg_len ||/0 ||/
no-rsn-wrap|s/f->rsn + f->rsn_count - 1 < f->rsn/0/
no-rsn-zero|s/(f->rsn == 0 ||/(0 ||/
no-ssn2-zero|s/(f->ssn2 == 0 ||/(0 ||/
no-dontlog-rsn|s/(!f->rsn_count || f->rsn))/(!f->rsn_count))/
no-ack-flag|s/!(f->flags \& MLOG_F_ACK) \&\& (f->ack || f->window)/0/
no-rdata-ssn|s/f->type == MLOG_FRAME_RDATA \&\& !f->ssn/0/
decode-wrong-field|s/f->window = get_unaligned_be32(p + OFF(window))/f->window = get_unaligned_be32(p + OFF(epoch))/
encode-drops-ack|s/put_unaligned_be64(f->ack, p + OFF(ack));//
'

for m in $(echo "$mutants" | sed -n 's/|.*//p'); do
	expr=$(echo "$mutants" | sed -n "s/^$m|//p")
	dir="$OUT/mutants/$m"
	rm -rf "$dir"
	mkdir -p "$dir/corpus" "$dir/artifacts"
	sed "$expr" "$REPO/kmod/frame.c" >"$dir/frame.c"
	if cmp -s "$REPO/kmod/frame.c" "$dir/frame.c"; then
		echo "mutants: $m: did not apply (frame.c changed?)"
		survived=$((survived + 1))
		continue
	fi
	# shellcheck disable=SC2086
	if ! $CLANG $FUZZ_CFLAGS $EXTRA_CFLAGS -o "$dir/frame_fuzz" \
		"$FUZZ/frame_fuzz.c" "$dir/frame.c" 2>"$dir/build.log"; then
		echo "mutants: $m: build failed, see $dir/build.log"
		survived=$((survived + 1))
		continue
	fi
	cp -R "$FUZZ/corpus/frame/." "$dir/corpus/"
	start=$(date +%s)
	timeout -k 5 $((secs + 30)) "$dir/frame_fuzz" -max_len=4096 \
		-max_total_time="$secs" -timeout=10 -dict="$FUZZ/frame.dict" \
		-artifact_prefix="$dir/artifacts/" "$dir/corpus" \
		>"$dir/log" 2>&1
	rc=$?
	end=$(date +%s)
	why=$(grep -m1 -E 'invariant failed|decode says|ERROR: AddressSanitizer|runtime error' "$dir/log" |
	      sed 's/^==[0-9]*==//')
	if [ "$rc" -ne 0 ] && [ -n "$(ls "$dir/artifacts")" ]; then
		echo "mutants: $m: killed in $((end - start))s: $why"
		killed=$((killed + 1))
	else
		echo "mutants: $m: SURVIVED ${secs}s"
		survived=$((survived + 1))
	fi
done

echo "mutants: $killed killed, $survived survived"
[ "$survived" -eq 0 ]

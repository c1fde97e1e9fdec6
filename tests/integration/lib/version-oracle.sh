#!/usr/bin/env bash
# Our version order against systemd's own (systemd-analyze compare-versions, systemd 252): the
# spec vectors plus 200 generated kernel-like strings, sorted by us, every adjacent pair and
# 200 random pairs checked by the oracle (spec §5.1).
source "${TESTLIB:?run through meson test}" || exit 1
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing: skip"; exit 77; }
SORT=$BUILD_DIR/tests/unit/lib/version-sort
{
        printf '%s\n' 6.5.13-6-pve 6.8.4-2-pve 6.8.12-2-pve 6.8.12-4-pve 6.8.12-10-pve 6.14.8-2-pve \
                6.1.0-9-amd64 6.1.0-13-amd64 6.8.0~rc3 6.8.0 6.8.0-1 6.8 123~rc1 123 123-a 123-1 \
                123^post1 123.a-1 123.1-1 123a-1 124 0 B a 1.0-1 1.0a 1.1 1a
        RANDOM=42
        seps=(. - ~ ^ _ +)
        flav=(-pve -amd64 -cloud-amd64 -rt-amd64 "" ~rc1 a b)
        for i in $(seq 200); do
                printf '%d.%d.%d%s%d%s\n' $((RANDOM % 3 + 5)) $((RANDOM % 15)) $((RANDOM % 20)) \
                        "${seps[RANDOM % ${#seps[@]}]}" $((RANDOM % 12)) "${flav[RANDOM % ${#flav[@]}]}"
        done
} | sort -u >"$TMP/in"
"$SORT" <"$TMP/in" >"$TMP/sorted"
mapfile -t v <"$TMP/sorted"
bad=0
for ((i = 0; i + 1 < ${#v[@]}; i++)); do
        systemd-analyze compare-versions "${v[i]}" le "${v[i+1]}" || { echo "oracle disagrees: ${v[i]} <= ${v[i+1]}"; bad=$((bad + 1)); }
done
expect_eq "$bad" 0 "adjacent pairs of ${#v[@]} sorted versions agree with systemd-analyze"
bad=0
for ((k = 0; k < 200; k++)); do
        i=$((RANDOM % ${#v[@]})); j=$((RANDOM % ${#v[@]}))
        [ "$i" -le "$j" ] || { t=$i; i=$j; j=$t; }
        systemd-analyze compare-versions "${v[i]}" le "${v[j]}" || { echo "oracle disagrees: ${v[i]} <= ${v[j]}"; bad=$((bad + 1)); }
done
expect_eq "$bad" 0 "200 random pairs agree with systemd-analyze"
t_done

#!/bin/bash
# run-bench.sh: the lab benchmarks (make bench-lab). Boots the e2e lab
# twice through tests/e2e/run.sh -- native (stock xl, dom0 sized like the
# main container) and dom0c (xl-dom0c, dom0c init, dom0cd) -- running the
# scenario bench-native or bench-dom0c of this folder (bench.sh), then
# collects the DOM0C-BENCH lines of the two serial logs into
#   build/bench/results.json   every sample, medians, spreads, ratios
#   build/bench/results.md     the Markdown table
#   build/bench/b1.png b2.png  gnuplot (gnuplot-nox)
# Options:
#   --collect NATIVE_LOG DOM0C_LOG   only collect from two serial logs
#   --modes "native dom0c"           which boots (default both); B2's domU
#                                    idles; native-dirty / dom0c-dirty run
#                                    guest/dirty in it (see docs/bench)
set -uo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E=$(cd "$BENCH_DIR/.." && pwd)
TOP=$(cd "$E2E/../.." && pwd)
OUT=$TOP/build/bench
LOCK=${DOM0C_LAB_LOCK:-/tmp/dom0c-lab.lock}
MODES="native dom0c"
declare -A LOGS=() RC=() SECS=()
say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --collect) LOGS[native]=$2 LOGS[dom0c]=$3; MODES=""; shift 3 ;;
        --modes) MODES=$2; shift 2 ;;
        *) echo "usage: $0 [--modes 'native dom0c'] [--collect NATIVE_LOG DOM0C_LOG]" >&2; exit 2 ;;
    esac
done
mkdir -p "$OUT" "$TOP/build/e2e"
T0=$(date +%s)

for mode in $MODES; do
    # One QEMU at a time: wait for another run's lock rather than fail.
    until flock -n "$LOCK" true; do say "waiting for $LOCK (another lab run)"; sleep 15; done
    say "boot $mode: tests/e2e/run.sh --scenarios $BENCH_DIR --only bench-$mode"
    t=$(date +%s)
    "$E2E/run.sh" --scenarios "$BENCH_DIR" --only "bench-$mode" --timeout 780
    RC[${mode%%-*}]=$?
    SECS[${mode%%-*}]=$(($(date +%s) - t))
    LOGS[${mode%%-*}]=$(jq -r .serial_log "$TOP/build/e2e/report.json")
    cp "$TOP/build/e2e/report.json" "$OUT/report-${mode%%-*}.json"
    say "boot $mode: rc=${RC[${mode%%-*}]} in ${SECS[${mode%%-*}]} s, log ${LOGS[${mode%%-*}]}"
done

# --collect: the boots' times and results from the reports the run kept.
for mode in native dom0c; do
    r=$OUT/report-$mode.json
    if [[ -z ${SECS[$mode]:-} && -r $r ]]; then
        SECS[$mode]=$(jq -r '.timings_s.total | round' "$r")
        RC[$mode]=$(jq -r 'if .result == "PASS" then 0 else 1 end' "$r")
        T0=$((T0 - SECS[$mode]))
    fi
done

# --- collect ------------------------------------------------------------------
TSV=$OUT/samples.tsv     # mode test key=value...
: >"$TSV"
for mode in native dom0c; do
    log=${LOGS[$mode]:-}
    [[ -n $log && -r $log ]] || { say "no serial log for $mode"; continue; }
    tr -d '\r' <"$log" | grep -o 'DOM0C-BENCH mode=.*' | sed 's/^DOM0C-BENCH //' >>"$TSV"
    cp "$log" "$OUT/serial-$mode.log"
done
say "$(wc -l <"$TSV") DOM0C-BENCH lines"

# samples as JSON objects (numbers where they parse)
jq -R -s '
  split("\n") | map(select(length > 0) | split(" ") | map(select(test("=")))
    | map({ key: (split("=")[0]), value: (split("=")[1:] | join("=")) })
    | from_entries
    | with_entries(.value = (.value as $v | try ($v | tonumber) catch $v)))' "$TSV" >"$OUT/samples.json"

jq --argjson total "$(($(date +%s) - T0))" \
   --arg native_rc "${RC[native]:-}" --arg dom0c_rc "${RC[dom0c]:-}" \
   --arg native_s "${SECS[native]:-}" --arg dom0c_s "${SECS[dom0c]:-}" '
  def median: sort | if length == 0 then null
      elif length % 2 == 1 then .[length / 2 | floor]
      else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def stat: { n: length, median: median, min: min, max: max, values: . };
  def r2: if . == null then null else (. * 100 | round) / 100 end;
  . as $s
  | [ "native", "dom0c" ] as $modes
  | {
      run: { total_s: $total,
             boots: { native: { rc: $native_rc, seconds: $native_s },
                      dom0c: { rc: $dom0c_rc, seconds: $dom0c_s } } },
      setup: ($modes | map(. as $m | { key: $m, value: ([ $s[] | select(.mode == $m and .test == "setup") ] as $x | $x[0]) } ) | from_entries),
      b1: ($modes | map(. as $m | { key: $m, value: (
          [ $s[] | select(.mode == $m and .test == "b1") ] as $x
          | ([ $x[].domus ] | unique) as $levels
          | { top_threads_on_main: [ $s[] | select(.mode == $m and .test == "b1-top") | { domus, threads } ],
              levels: ($levels | map(. as $l | { domus: $l,
                  pct: ([ $x[] | select(.domus == $l) | .main_cpu_pct ] | stat) })),
              # least-squares slope of the medians, points per domU
              slope_pct_per_domu: (
                  ($levels | map(. as $l | { x: $l, y: ([ $x[] | select(.domus == $l) | .main_cpu_pct ] | median) })) as $p
                  | ($p | length) as $n
                  | if $n < 2 then null else
                      (($p | map(.x) | add) / $n) as $mx | (($p | map(.y) | add) / $n) as $my
                      | (($p | map((.x - $mx) * (.y - $my)) | add) / ($p | map((.x - $mx) * (.x - $mx)) | add)) | r2
                    end),
              range_pct: ([ $levels[] as $l | [ $x[] | select(.domus == $l) | .main_cpu_pct ] | median ]
                          | if length > 0 then (max - min | r2) else null end) }) }) | from_entries),
      b2: ($modes | map(. as $m | { key: $m, value: (
          [ $s[] | select(.mode == $m and .test == "b2") ] as $x
          | ([ "idle", "half", "full", "ctrl" ] | map(. as $l | { key: $l, value:
                ([ $x[] | select(.load == $l and .rc == 0) | .migrate_s ] | stat
                 + { failed: ([ $x[] | select(.load == $l and .rc != 0) ] | length) }) }) | from_entries) as $st
          | $st + { ratio_half_idle: (if $st.idle.median then ($st.half.median // null | if . then . / $st.idle.median | r2 else null end) else null end),
                    ratio_full_idle: (if $st.idle.median then ($st.full.median // null | if . then . / $st.idle.median | r2 else null end) else null end),
                    ratio_ctrl_idle: (if $st.idle.median then ($st.ctrl.median // null | if . then . / $st.idle.median | r2 else null end) else null end) }) }) | from_entries),
      locality: ($modes | map(. as $m | { key: $m, value: {
          domus: [ $s[] | select(.mode == $m and .test == "locality") ],
          blkback_on_node_pct_median: ([ $s[] | select(.mode == $m and .test == "locality") | .blkback_on_node_pct | numbers ] | median),
          irq_on_node_pct_median: ([ $s[] | select(.mode == $m and .test == "locality") | .irq_on_node_pct | numbers ] | median),
          irq_per_cpu: ([ $s[] | select(.mode == $m and .test == "irq-per-cpu") ] | .[0]),
          save_helper: ([ $s[] | select(.mode == $m and .test == "helper") ] | .[0]) } }) | from_entries),
      overhead: ([ $s[] | select(.test == "overhead") ] as $x
          | [ "create", "destroy" ] | map(. as $op | { key: $op, value:
              ({ stock: ([ $x[] | select(.op == $op and .xl == "stock" and .rc == 0) | .seconds ] | stat),
                 dom0c: ([ $x[] | select(.op == $op and .xl == "dom0c" and .rc == 0) | .seconds ] | stat) }
               | . + { added_pct: (if .stock.median and .dom0c.median
                                   then ((.dom0c.median / .stock.median - 1) * 100 | r2) else null end) }) })
          | from_entries),
      skipped: [ $s[] | select(.test == "skipped") ],
      domus: [ $s[] | select(.test == "domu") ]
    }' "$OUT/samples.json" >"$OUT/results.json" || { say "jq failed on the samples"; exit 1; }

# --- Markdown -------------------------------------------------------------------
jq -r '
  def f: if . == null then "n/a" elif type == "number" then (. * 100 | round / 100 | tostring) else tostring end;
  def spread: if .n > 0 then "\(.median | f) (\(.min | f)–\(.max | f), n=\(.n))" else "n/a" end;
  "| benchmark | native | libdom0c |",
  "|---|---|---|",
  ( .b1.native.levels as $n | .b1.dom0c.levels as $d
    | range(0; ([$n, $d] | map(length) | max)) as $i
    | "| B1 main-vCPU use, \($n[$i].domus // $d[$i].domus) domU(s) with dd, % | \($n[$i].pct // {n:0} | spread) | \($d[$i].pct // {n:0} | spread) |" ),
  "| B1 slope, points per domU | \(.b1.native.slope_pct_per_domu | f) | \(.b1.dom0c.slope_pct_per_domu | f) |",
  ( [ "idle", "half", "full" ][] as $l
    | "| B2 migration, main container \($l), s | \(.b2.native[$l] | spread) | \(.b2.dom0c[$l] | spread) |" ),
  "| B2 ratio half/idle | \(.b2.native.ratio_half_idle | f) | \(.b2.dom0c.ratio_half_idle | f) |",
  "| B2 ratio full/idle | \(.b2.native.ratio_full_idle | f) | \(.b2.dom0c.ratio_full_idle | f) |",
  "| B2 migration, same loop in the other node'"'"'s container instead of main, s | n/a | \(.b2.dom0c.ctrl | spread) |",
  "| B2 ratio other-node/idle | n/a | \(.b2.dom0c.ratio_ctrl_idle | f) |",
  "| blkback CPU time on the domU'"'"'s node, % (median over domUs) | \(.locality.native.blkback_on_node_pct_median | f) | \(.locality.dom0c.blkback_on_node_pct_median | f) |",
  "| blkif-backend IRQs on the domU'"'"'s node, % (median over domUs) | \(.locality.native.irq_on_node_pct_median | f) | \(.locality.dom0c.irq_on_node_pct_median | f) |",
  "| save helper samples on the domU'"'"'s node, % | \(.locality.native.save_helper.on_node_pct | f) | \(.locality.dom0c.save_helper.on_node_pct | f) |",
  "",
  "| overhead (one libdom0c boot, alternated) | stock xl | xl-dom0c | added |",
  "|---|---|---|---|",
  ( [ "create", "destroy" ][] as $op
    | "| xl \($op), s | \(.overhead[$op].stock | spread) | \(.overhead[$op].dom0c | spread) | \(.overhead[$op].added_pct | f) % |" ),
  "",
  "Medians (min–max, n repetitions). Run: \(.run.total_s) s in all; boots: native \(.run.boots.native.seconds) s (rc \(.run.boots.native.rc)), libdom0c \(.run.boots.dom0c.seconds) s (rc \(.run.boots.dom0c.rc)).",
  (if (.skipped | length) > 0 then "Skipped for time: \([.skipped[] | "\(.mode)/\(.what)"] | join(", "))." else empty end)
' "$OUT/results.json" >"$OUT/results.md"
cat "$OUT/results.md"

# --- plots ----------------------------------------------------------------------
if command -v gnuplot >/dev/null; then
    for m in native dom0c; do
        jq -r --arg m "$m" '.b1[$m].levels[] | "\(.domus) \(.pct.median // "NaN") \(.pct.min // "NaN") \(.pct.max // "NaN")"' \
            "$OUT/results.json" >"$OUT/b1-$m.dat"
        jq -r --arg m "$m" '.b2[$m] | ["idle", "half", "full", "ctrl"] as $l | range(0; 4) as $i
            | select(.[$l[$i]].n > 0)
            | "\($i) \($l[$i]) \(.[$l[$i]].median // "NaN") \(.[$l[$i]].min // "NaN") \(.[$l[$i]].max // "NaN")"' \
            "$OUT/results.json" >"$OUT/b2-$m.dat"
    done
    gnuplot <<EOF || say "gnuplot failed"
set terminal pngcairo size 720,440 noenhanced
set grid
set key top left
set output "$OUT/b1.png"
set title "B1: dom0 main vCPU use vs domUs running dd (TCG lab, median, min-max)"
set xlabel "domUs running dd"
set ylabel "main vCPU use, %"
set xtics 1
set xrange [-0.3:3.3]
set yrange [0:*]
plot "$OUT/b1-native.dat" using 1:2:3:4 with yerrorlines lw 2 title "native (stock xl, 1 vCPU dom0)", \
     "$OUT/b1-dom0c.dat" using 1:2:3:4 with yerrorlines lw 2 title "libdom0c (main container)"
set output "$OUT/b2.png"
set title "B2: live migration time vs main-container load (TCG lab, median, min-max)"
set xlabel "dom0 main container load"
set ylabel "migration time, s"
set xrange [-0.3:3.3]
set xtics ("idle" 0, "half" 1, "full" 2, "other node" 3)
plot "$OUT/b2-native.dat" using 1:3:4:5 with yerrorlines lw 2 title "native", \
     "$OUT/b2-dom0c.dat" every ::0::2 using 1:3:4:5 with yerrorlines lw 2 title "libdom0c", \
     "$OUT/b2-dom0c.dat" every ::3::3 using 1:3:4:5 with yerrorbars pt 7 lw 2 title "libdom0c, the loop in the other node's container"
EOF
else
    say "gnuplot missing (apt-get install gnuplot-nox): no plots"
fi
say "results: $OUT/results.json $OUT/results.md $(ls "$OUT"/*.png 2>/dev/null | tr '\n' ' ')"
say "total $(($(date +%s) - T0)) s"
# Fail when a boot produced no figures at all.
for m in native dom0c; do
    grep -q "^mode=$m test=b2" "$TSV" || { say "no B2 figures for $m"; exit 1; }
done

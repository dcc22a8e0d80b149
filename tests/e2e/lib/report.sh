# shellcheck shell=bash
# The run's JSON report and the human summary (sourced by run.sh).
# Inputs are the TSV files the marker parser writes in WORK:
#   checks.tsv     scenario, check, PASS|FAIL, observed
#   scenarios.tsv  scenario, PASS|FAIL, seconds
#   problems.txt   one line per runner-level failure (timeout, QEMU died...)

# write_report OUT: the JSON report.
write_report() {
    local out=$1
    jq -n \
        --rawfile checks "$WORK/checks.tsv" \
        --rawfile scens "$WORK/scenarios.tsv" \
        --rawfile problems "$WORK/problems.txt" \
        --rawfile manifest "$BUILD_DIR/manifest.txt" \
        --arg result "$RESULT" --arg result_line "$RESULT_LINE" \
        --arg hv "$(sed -n 's/^# hypervisor: //p' "$BUILD_DIR/manifest.txt")" \
        --arg run_id "$RUN_ID" --arg mode "$MODE" --arg accel "$ACCEL" \
        --argjson nodes "$NODES" --argjson cpus_per_node "$CPUS_PER_NODE" \
        --arg xen_cmdline "$(xen_cmdline)" \
        --arg serial_log "$SERIAL_LOG" --arg staged "$STAGED" \
        --arg t_assembly "$T_ASSEMBLY" --arg t_image "$T_IMAGE" \
        --arg t_stage "$T_STAGE" --arg t_ready "$T_READY" \
        --arg t_qemu "$T_QEMU" --arg t_total "$T_TOTAL" '
      def lines($s): $s | split("\n") | map(select(length > 0));
      def num($s): if $s == "" then null else ($s | tonumber) end;
      def values($o): $o | split(" ") | map(select(test("=")))
          | map({ key: (split("=")[0]), value: (split("=")[1:] | join("=")) })
          | from_entries;
      (lines($checks) | map(split("\t")
          | { scenario: .[0], name: .[1], result: .[2], observed: .[3],
              values: values(.[3]) })) as $cs
      | {
          result: $result,
          result_line: $result_line,
          run_id: $run_id,
          mode: $mode,
          accel: $accel,
          host: { nodes: $nodes, cpus_per_node: $cpus_per_node,
                  xen_cmdline: $xen_cmdline },
          project_staged: ($staged == "yes"),
          timings_s: {
            assembly: num($t_assembly),
            project_build_and_stage: num($t_stage),
            dom0_image: num($t_image),
            boot_to_dom0_ready: num($t_ready),
            qemu: num($t_qemu),
            total: num($t_total)
          },
          scenarios: (lines($scens) | map(split("\t") as $s
            | { name: $s[0], result: $s[1], seconds: num($s[2]),
                checks: [ $cs[] | select(.scenario == $s[0]) | del(.scenario) ] })),
          problems: lines($problems),
          hypervisor: $hv,
          packages: (lines($manifest) | map(select(startswith("#") | not))),
          serial_log: $serial_log
        }' >"$out"
}

# print_summary: a readable summary on stderr.
print_summary() {
    local scen res secs n nf
    {
        echo
        echo "================ e2e summary ($MODE, $NODES nodes x $CPUS_PER_NODE pCPUs, $ACCEL) ================"
        while IFS=$'\t' read -r scen res secs; do
            n=$(awk -F'\t' -v s="$scen" '$1 == s' "$WORK/checks.tsv" | wc -l)
            nf=$(awk -F'\t' -v s="$scen" '$1 == s && $3 == "FAIL"' "$WORK/checks.tsv" | wc -l)
            printf '  %-4s %-32s %6ss  %d checks, %d failed\n' "$res" "$scen" "$secs" "$n" "$nf"
        done <"$WORK/scenarios.tsv"
        if grep -q $'\tFAIL\t' "$WORK/checks.tsv"; then
            echo "  failed checks:"
            awk -F'\t' '$3 == "FAIL" { printf "    %s/%s: %s\n", $1, $2, $4 }' "$WORK/checks.tsv"
        fi
        if [[ -s $WORK/problems.txt ]]; then
            echo "  problems:"
            sed 's/^/    /' "$WORK/problems.txt"
        fi
        printf '  timings: assembly %ss, project build+stage %ss, dom0 image %ss, boot->dom0 ready %ss, qemu %ss, total %ss\n' \
            "$T_ASSEMBLY" "${T_STAGE:-0}" "$T_IMAGE" "${T_READY:-?}" "$T_QEMU" "$T_TOTAL"
        echo "  serial log: $SERIAL_LOG"
        echo "  report:     $REPORT (copy: $BUILD_DIR/report.json)"
        echo "  manifest:   $BUILD_DIR/manifest.txt"
        echo "  RESULT: $RESULT${RESULT_LINE:+ ($RESULT_LINE)}"
    } >&2
}

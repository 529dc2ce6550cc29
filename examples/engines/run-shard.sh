#!/bin/sh
# One shard of a lab plan, on whatever machine the scheduler picked. Kubernetes' Indexed Job
# sets JOB_COMPLETION_INDEX, a Slurm array sets SLURM_ARRAY_TASK_ID; both count from 0 here
# (indexed-job.yaml, slurm-array.sh), lab counts shards from 1.
#
#   SHARD_COUNT  how many shards (the Job's completions, the array's size)
#   SHARD_ENVS   the environments, space-separated: matrix envs or pins (py3.11/tf==2.15.1)
#   SHARD_IDS    scenario ids, space-separated (default: every scenario)
#   RESULTS      where shard-I/ goes (a shared volume); `lab merge` joins them afterwards
#
# None of these starts with LAB_: every LAB_* variable is part of the `local` env's identity
# (a twin may read one), so a LAB_ name here would give the shard other cache keys than the
# same trials run by hand, and it would miss their records.
set -eu

for old in LAB_ENVS LAB_IDS; do
    if eval "[ -n \"\${$old+set}\" ]"; then
        echo "run-shard.sh: $old is now SHARD_${old#LAB_} (a LAB_ variable changes the local env's cache key); rename it" >&2
        exit 2
    fi
done
index="${JOB_COMPLETION_INDEX:-${SLURM_ARRAY_TASK_ID:-}}"
if [ -z "$index" ]; then
    echo "run-shard.sh: neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set" >&2
    exit 2
fi
count="${SHARD_COUNT:?set SHARD_COUNT to the number of shards}"
shard=$((index + 1))
results="${RESULTS:-results/shards}"

# Every shard computes the same plan and keeps its own slice of it: no coordinator is needed.
set --
for env in ${SHARD_ENVS:-all}; do set -- "$@" --env "$env"; done
# shellcheck disable=SC2086  # ids are words on purpose
lab plan ${SHARD_IDS:-} "$@" --shard "$shard/$count" --out "$results/plan-$shard.json"

# Exit 4 (a twin raised, a process crashed) still saved the shard's records: merge decides.
status=0
lab run --plan "$results/plan-$shard.json" --out "$results/shard-$shard" || status=$?
[ "$status" -eq 4 ] && status=0
exit "$status"

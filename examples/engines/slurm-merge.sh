#!/bin/bash
# The shards of slurm-array.sh joined into one results folder (records, verdicts, report.md),
# run after the whole array succeeded:
#
#   job=$(sbatch --parsable examples/engines/slurm-array.sh)
#   sbatch --dependency=afterok:"$job" examples/engines/slurm-merge.sh
#
# A shard whose twins raised still succeeds (run-shard.sh), so this job's exit says it: 4 when
# some trials did not finish, as for one run of the whole plan. The merged folder is
# $MERGED (default results/merged), which must not hold results yet.
#SBATCH --job-name=lab-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --time=00:30:00
#SBATCH --output=%x-%j.out
set -euo pipefail

results="${RESULTS:-results/shards}"
exec lab merge "$results"/shard-* --out "${MERGED:-results/merged}"

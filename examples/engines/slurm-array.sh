#!/bin/bash
# Four shards of a lab plan as a Slurm job array: task I gets SLURM_ARRAY_TASK_ID=I (0..3),
# which run-shard.sh turns into `--shard I+1/4`; slurm-merge.sh joins them once all succeeded.
# From the checkout, on a filesystem every node mounts (nothing to make by hand first):
#
#   job=$(sbatch --parsable examples/engines/slurm-array.sh)
#   sbatch --dependency=afterok:"$job" examples/engines/slurm-merge.sh
#
# Options on the sbatch command line override the lines below, to fit a cluster or the work:
# `sbatch --array=0-7 ...` makes eight shards (the count follows the array's size; keep it
# 0-based), `--cpus-per-task=1 --mem=2G` fits small nodes. The variables of run-shard.sh
# (SHARD_ENVS, SHARD_IDS, RESULTS) pass through sbatch's environment.
#
# The logs go where sbatch ran (lab-shards-JOB_TASK.out): Slurm does not create folders for
# --output, and a fresh clone has no results/ yet (lab makes it).
#SBATCH --job-name=lab-shards
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --output=%x-%A_%a.out
set -euo pipefail

export SHARD_COUNT="${SLURM_ARRAY_TASK_COUNT:-4}"
export SHARD_ENVS="${SHARD_ENVS:-py3.11/tf==2.12.1 py3.11/tf==2.15.1 py3.11/tf==2.21.0}"
export RESULTS="${RESULTS:-results/shards}"
exec sh examples/engines/run-shard.sh

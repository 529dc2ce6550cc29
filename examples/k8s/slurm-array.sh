#!/bin/bash
# Four shards of a lab plan as a Slurm job array: task I gets SLURM_ARRAY_TASK_ID=I (0..3),
# which run-shard.sh turns into `--shard I+1/4`. From the checkout, on a shared filesystem:
#
#   job=$(sbatch --parsable examples/k8s/slurm-array.sh)
#   sbatch --dependency=afterany:"$job" --wrap "lab merge results/shards/shard-* --out results/merged"
#
#SBATCH --job-name=lab-shards
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --output=results/slurm-%A_%a.out
set -euo pipefail

export SHARD_COUNT="${SLURM_ARRAY_TASK_COUNT:-4}"
export LAB_ENVS="${LAB_ENVS:-py3.11/tf==2.12.1 py3.11/tf==2.15.1 py3.11/tf==2.21.0}"
export RESULTS="${RESULTS:-results/shards}"
exec sh examples/k8s/run-shard.sh

#!/usr/bin/env bash
# Run one shard of an smsim command on a batch scheduler, then (once all shards are done)
# merge them with `smsim merge`. The shard index comes from the scheduler:
#   Slurm job array:          SLURM_ARRAY_TASK_ID (1-based with --array=1-N), SLURM_ARRAY_TASK_COUNT
#   Kubernetes Indexed Job:   JOB_COMPLETION_INDEX (0-based), SHARDS (set it to `completions`)
# Usage: shard.sh OUT_ROOT SMSIM_ARGS...
#   e.g. shard.sh /shared/run1 sweep scenarios/long-vs-short-code.toml --set number.pool.count=1,2,5,10,20
# writes OUT_ROOT/shard-K/ for shard K of N.
set -euo pipefail
out_root=$1
shift
smsim=${SMSIM:-smsim}

if [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then
  k=$SLURM_ARRAY_TASK_ID
  n=${SLURM_ARRAY_TASK_COUNT:?set by Slurm for job arrays}
elif [ -n "${JOB_COMPLETION_INDEX:-}" ]; then
  k=$((JOB_COMPLETION_INDEX + 1))
  n=${SHARDS:?set SHARDS to the Job completions}
else
  echo "shard.sh: no SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX: not run by a job array" >&2
  exit 2
fi

exec "$smsim" "$@" --quiet --shard "$k/$n" --out "$out_root/shard-$k"

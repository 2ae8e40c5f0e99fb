#!/usr/bin/env bash
# A Slurm job array for an smsim sweep: 8 shards, then the merge once all succeed.
# Submit from the project folder (with `smsim` on PATH on the nodes):
#   bash docs/cluster/slurm.sh /shared/run1
# Outputs land in /shared/run1/merged/. Change the command line below to your own run.
set -euo pipefail
out_root=${1:?usage: slurm.sh OUT_ROOT}
shards=8
cmd=(sweep scenarios/long-vs-short-code.toml
     --set number.pool.kind=long_code,toll_free,ten_dlc,short_code
     --set number.pool.count=1,2,5,10,20,40
     --target 'drain_s<=3600'
     --replications 10)

mkdir -p "$out_root"   # Slurm does not create the folder of --output
array_job=$(sbatch --parsable --array=1-$shards --job-name=smsim-shard \
  --cpus-per-task=2 --time=01:00:00 --output="$out_root/slurm-%A_%a.out" \
  --wrap="bash docs/cluster/shard.sh '$out_root' ${cmd[*]@Q}")

shard_dirs=$(for k in $(seq 1 $shards); do printf '%s/shard-%d ' "$out_root" "$k"; done)
sbatch --dependency=afterok:"$array_job" --job-name=smsim-merge --output="$out_root/slurm-merge-%j.out" \
  --wrap="smsim merge $shard_dirs --out '$out_root/merged'"
echo "submitted shards as job $array_job; the merge runs when all $shards succeed"

#!/usr/bin/env bash
# A Slurm job array for an smsim command: N shards, then the merge once all succeed.
# Submit from the project folder (with `smsim` on PATH on the nodes, or SMSIM=/path/smsim):
#   bash docs/cluster/slurm.sh /shared/run1                      # the sweep below
#   bash docs/cluster/slurm.sh /shared/run1 run scenarios/otp-short-code.toml --replications 40
# Outputs land in /shared/run1/merged/. SHARDS (default 8) sets the array's size.
# Prints the two job ids ("array JOB" and "merge JOB") on its last two lines.
set -euo pipefail
out_root=${1:?usage: slurm.sh OUT_ROOT [SMSIM_ARGS...]}
shift
shards=${SHARDS:-8}
smsim=${SMSIM:-smsim}
if [ $# -gt 0 ]; then
  cmd=("$@")
else
  cmd=(sweep scenarios/long-vs-short-code.toml
       --set number.pool.kind=long_code,toll_free,ten_dlc,short_code
       --set number.pool.count=1,2,5,10,20,40
       --target 'drain_s<=3600'
       --replications 10)
fi

mkdir -p "$out_root"   # Slurm does not create the folder of --output
array_job=$(sbatch --parsable --array=1-"$shards" --job-name=smsim-shard \
  --cpus-per-task=1 --time=01:00:00 --output="$out_root/slurm-%A_%a.out" \
  --export=ALL,SMSIM="$smsim" \
  --wrap="bash docs/cluster/shard.sh '$out_root' ${cmd[*]@Q}")

shard_dirs=$(for k in $(seq 1 "$shards"); do printf "'%s/shard-%d' " "$out_root" "$k"; done)
merge_job=$(sbatch --parsable --dependency=afterok:"$array_job" --job-name=smsim-merge \
  --output="$out_root/slurm-merge-%j.out" \
  --wrap="'$smsim' merge $shard_dirs --out '$out_root/merged'")
echo "submitted $shards shards as job $array_job; the merge (job $merge_job) runs when all succeed"
echo "array $array_job"
echo "merge $merge_job"

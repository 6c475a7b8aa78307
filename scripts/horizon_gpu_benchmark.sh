#!/usr/bin/env bash
# The CUDA horizon engine against the CPU engine, as one short run (issue 12).
#
#   scripts/horizon_gpu_benchmark.sh [PYTHON]        # default .venv/bin/python
#
# Needs an NVIDIA GPU with its driver and the GPU extra (pip install 'lupex[gpu]', i.e.
# numba-cuda). Prints the GPU, whether lupex can use it, the GPU-vs-CPU tests on the real GPU
# (tests/horizon/test_gpu.py: same function as the CPU engine, max |GPU - CPU| bound) and
# benchmarks/horizon.py --sections gpu: pixel-azimuths per second on the GPU and on all CPU
# cores, their ratio and max |GPU - CPU| [deg] on the profile cases (LOLA Shackleton 200 m
# with the regional far field, synthetic 40 m 500^2, a 512^2 tile of a 20 m DEM with an 80 m
# far field). Results also go to ${OUT:-.}/horizon_gpu.json. About 3-5 minutes.
set -euo pipefail
PY=${1:-.venv/bin/python}
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || echo "nvidia-smi: none"
"$PY" -c "from lupex.horizon._gpu import gpu_status; print('lupex GPU usable:', *gpu_status())"
timeout 240 "$PY" -m pytest tests/horizon/test_gpu.py -q -p no:cacheprovider || echo "GPU tests FAILED"
timeout 300 "$PY" benchmarks/horizon.py --sections gpu --json "${OUT:-.}/horizon_gpu.json"

#!/usr/bin/env bash
# Runs on the GPU machine, from the repository root, with .gpu/ and .gl/ carried there (node tools/prepare-gpu.mjs made
# them; docs/gpu.md). Usage: tools/gpu-run.sh [bench] [train]   (both by default)
#   bench   pnpm bench:gpu's bundle in Node on Dawn over the machine's Vulkan driver: ResNet-18/50, every runtime
#   train   tools/train_cifar.py on CUDA: the CIFAR-10 ResNet (DEPTH, default 56) in TRAIN_BUDGET seconds (default: what
#           is left of 470 s after the bench, at most 240)
# Results go to $OUT (bench/results.{md,json}, train/{train.log,resnet$DEPTH.safetensors}, run.log).
set -uo pipefail
OUT=${OUT:-/tmp/gpu-out}
WORK=/tmp/resnet-edge-gpu
STEPS=${*:-bench train}
mkdir -p "$OUT/bench" "$OUT/train" "$WORK"
exec > >(tee -a "$OUT/run.log") 2>&1
unxz() { python3 -c "import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], 'wb'))" "$1" "$2"; }
echo "# $(date -u +%FT%TZ) gpu-run.sh $STEPS on $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null)"

if [[ " $STEPS " == *" bench "* ]]; then
  # The Vulkan loader (Debian's packages, unpacked over /), then the NVIDIA driver's ICD if the loader finds none.
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
  ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [ -e "$ICD" ] && ! ls /usr/share/vulkan/icd.d/*nvidia* /etc/vulkan/icd.d/*nvidia* >/dev/null 2>&1; then export VK_DRIVER_FILES=$ICD; fi
  B=$WORK/bench
  mkdir -p "$B/node_modules/webgpu/dist/linux-x64" "$B/ort"
  unxz .gpu/node.xz "$WORK/node" && chmod +x "$WORK/node"
  cp .gpu/webgpu/index.js .gpu/webgpu/package.json "$B/node_modules/webgpu/"
  unxz .gpu/webgpu/dawn.node.xz "$B/node_modules/webgpu/dist/linux-x64/dawn.node"
  unxz .gpu/ort/ort-wasm-simd-threaded.asyncify.wasm.xz "$B/ort/ort-wasm-simd-threaded.asyncify.wasm"
  cp -r .gpu/bench-gpu.mjs .gpu/tfjs-wasm "$B/"
  echo "# node $("$WORK/node" --version), unpacked at +${SECONDS}s"
  BENCH_GPU_REAL=1 PYTHON=${PYTHON:-python3} timeout "${BENCH_TIMEOUT:-200}" "$WORK/node" "$B/bench-gpu.mjs" --out "$OUT/bench" --data "$WORK/models" \
    --tfjs-wasm "$B/tfjs-wasm/" --ort-wasm "$B/ort/" --child-timeout 80 ${BENCH_ARGS:-}
  echo "# bench exit $?, at +${SECONDS}s"
fi

if [[ " $STEPS " == *" train "* ]]; then
  DEPTH=${DEPTH:-56}
  # What is left of an 8.5-minute call after the bench, at most 4 minutes (the script's own start and end take ~40 s).
  BUDGET=${TRAIN_BUDGET:-$(( 470 - SECONDS < 240 ? 470 - SECONDS : 240 ))}
  PYTHONUNBUFFERED=1 ${PYTHON:-python3} tools/train_cifar.py --depth "$DEPTH" --epochs "${EPOCHS:-300}" --batch 512 --lr 0.4 \
    --time-budget "$BUDGET" --data .gpu/cifar10 --out "$WORK/train" ${TRAIN_ARGS:-}
  cp "$WORK/train/train.log" "$WORK/train/resnet$DEPTH.safetensors" "$OUT/train/" 2>/dev/null
  echo "# train exit, at +${SECONDS}s"
fi

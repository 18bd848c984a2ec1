#!/usr/bin/env bash
# Prints this machine's CPU class in one line, as every benchmark figure is labelled: the model
# and the extensions that decide Kindred's kernels (AVX2, AVX-512, AVX-512 VNNI, AVX-VNNI, AMX),
# and the ISA caps set in the environment. `kindred inspect` says the same from inside the process.
set -euo pipefail
model=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2- || true) "
found=()
for pair in avx2:AVX2 avx512f:AVX-512 avx512_vnni:"AVX-512 VNNI" avx_vnni:AVX-VNNI amx_int8:AMX; do
  [[ "$flags" == *" ${pair%%:*} "* ]] && found+=("${pair#*:}")
done
class=baseline
[[ "$flags" == *" avx2 "* ]] && class=avx2
[[ "$flags" == *" avx512f "* ]] && class=avx512
[[ "$flags" == *" avx512_vnni "* || "$flags" == *" avx_vnni "* || "$flags" == *" amx_int8 "* ]] && class=vnni
line="${model:-unknown} ($(IFS=,; echo "${found[*]:-no AVX2}" | sed 's/,/, /g'); class $class)"
caps=()
for name in KINDRED_MAX_CPU_ISA ONEDNN_MAX_CPU_ISA OPENBLAS_CORETYPE; do
  [ -n "${!name:-}" ] && caps+=("$name=${!name}")
done
[ ${#caps[@]} -gt 0 ] && line+=", with ${caps[*]}"
echo "$line"

# Sourced by the benchmark scripts: the CPU class every figure is printed beside, and the
# emulation of an older class on a newer machine.
#
# KINDRED_EMULATE=avx2 runs Kindred as on an AVX2 CPU without VNNI (oneDNN and Kindred's kernels
# capped at AVX2, OpenBLAS on its Haswell kernel) and gives the peers' OpenBLAS the kernel it
# would pick on such a CPU (Haswell). Unset: everything runs as the machine is, and the peers
# run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset so that their own OpenBLAS picks.

# Prefix for Kindred's commands: `env "${kindred_env[@]}" .build/release/kindred …`.
kindred_env=()
# Prefix for the peers' commands.
peer_env=(-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
case "${KINDRED_EMULATE:-}" in
  "") ;;
  avx2)
    kindred_env=(ONEDNN_MAX_CPU_ISA=AVX2 KINDRED_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell)
    peer_env=(-u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=Haswell)
    ;;
  *) echo "KINDRED_EMULATE takes avx2 (or nothing); got '$KINDRED_EMULATE'" >&2; exit 64 ;;
esac

cpu_class_line() {
  echo "CPU:         $(env "${kindred_env[@]}" "$(dirname "${BASH_SOURCE[0]}")/../../scripts/cpu-class.sh")"
  [ -z "${KINDRED_EMULATE:-}" ] || echo "emulating:   an ${KINDRED_EMULATE} CPU without VNNI (KINDRED_EMULATE)"
}

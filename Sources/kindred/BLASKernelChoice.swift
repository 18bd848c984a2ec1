import Foundation
import KindredLinearAlgebra

#if canImport(Glibc)
    import Glibc
#endif

/// Gives OpenBLAS its fast kernel on CPUs it misdetects.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, when the library loads, before any Swift code runs;
/// Debian's 0.3.21 runs its generic Prescott kernel on some AVX-512 CPUs, several times slower
/// than SkylakeX there. So when OpenBLAS reports a generic kernel on a CPU with AVX2 or AVX-512
/// and the variable is unset, the process starts itself again with it set (once: the new process
/// finds it set). Setting `OPENBLAS_CORETYPE` yourself, to any value, turns this off.
enum BLASKernelChoice {
    static func reexecIfMisdetected() {
        #if canImport(Glibc)
            let environment = ProcessInfo.processInfo.environment
            guard environment["OPENBLAS_CORETYPE"] == nil, let coreType = BLASBackend.current.suggestedCoreType else {
                return
            }
            setenv("OPENBLAS_CORETYPE", coreType, 1)
            setenv("KINDRED_SET_OPENBLAS_CORETYPE", coreType, 1)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
            // exec failed: go on with the generic kernel; `inspect` and `reindex` print the warning.
            unsetenv("OPENBLAS_CORETYPE")
            unsetenv("KINDRED_SET_OPENBLAS_CORETYPE")
        #endif
    }
}

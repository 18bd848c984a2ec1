// CBLAS from Debian's libblas-dev. Linking "blas" (not a named implementation) lets the
// alternatives system swap in OpenBLAS, BLIS or the reference BLAS without a rebuild.
#include <cblas.h>

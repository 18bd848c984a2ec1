// LAPACKE from Debian's liblapacke-dev; "lapack" is resolved through the alternatives system
// like "blas", so an optimised LAPACK (OpenBLAS's) is used when installed.
#include <lapacke.h>

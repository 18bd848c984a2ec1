// oneDNN (Debian's libdnnl-dev): its int8 matrix multiply, which runs on the CPU's VNNI
// instructions where they exist, is the candidate stage of Kindred's exact-after-rescoring search.
#include <oneapi/dnnl/dnnl.h>

// XXH3 (xxHash 0.8) from Debian's libxxhash-dev: the model file's checksums and the corpus digest.
#include <xxhash.h>

// Snowball stemmers from Debian's libstemmer-dev.
#include <libstemmer.h>

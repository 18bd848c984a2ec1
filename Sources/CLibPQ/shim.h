// PostgreSQL's client library from Debian's libpq-dev: the postgresql:// article source.
#include <postgresql/libpq-fe.h>

// SQLite from Debian's libsqlite3-dev: the sqlite:// article source.
#include <sqlite3.h>

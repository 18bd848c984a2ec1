// MariaDB Connector/C from Debian's libmariadb-dev: the mysql:// article source (MySQL and MariaDB).
#include <mariadb/mysql.h>

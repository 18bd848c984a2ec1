#ifndef CKINDRED_HTML_H
#define CKINDRED_HTML_H

#include <stddef.h>

/// The text a reader sees in an HTML fragment, and its links' targets, parsed with libxml2's HTML
/// parser in recovery mode. libxml2's headers stay inside this target: they include the system's
/// ICU headers, which clash with the ICU that Foundation carries.
///
/// On success returns 0 and sets `*text` (UTF-8, `*text_length` bytes) and `*links` (the `href`
/// values, each ended by '\n', `*links_length` bytes); the caller frees both with `free`. Returns
/// -1 when libxml2 can't parse the input at all or memory runs out.
int kindred_html_extract(const char *html, size_t length, char **text, size_t *text_length, char **links,
                         size_t *links_length);

#endif

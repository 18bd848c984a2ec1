#include "CKindredHTML.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/// A growing byte buffer.
typedef struct {
    char *bytes;
    size_t length, capacity;
    int failed;
} buffer;

static void append(buffer *b, const char *bytes, size_t count) {
    if (b->failed || count == 0) return;
    if (b->length + count + 1 > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 256;
        while (b->length + count + 1 > capacity) capacity *= 2;
        char *grown = realloc(b->bytes, capacity);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->bytes = grown;
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->length, bytes, count);
    b->length += count;
    b->bytes[b->length] = 0;
}

static void append_string(buffer *b, const char *s) { append(b, s, strlen(s)); }

static int among(const xmlChar *name, const char *const *names) {
    for (; *names; names++)
        if (strcasecmp((const char *)name, *names) == 0) return 1;
    return 0;
}

/// Elements whose content a reader never sees as text.
static const char *const hidden[] = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object", 0};
/// Elements that end a line of text, so that words on either side don't run together.
static const char *const blocks[] = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure", "figcaption",
    "section", "article", "header", "footer", "aside", "tr", "td", "th", "table", "pre", "hr", "dd", "dt", "main",
    "nav", 0};

static void attribute(buffer *b, xmlNode *node, const char *name, const char *before, const char *after) {
    xmlChar *value = xmlGetProp(node, (const xmlChar *)name);
    if (!value) return;
    if (value[0]) {
        append_string(b, before);
        append_string(b, (const char *)value);
        append_string(b, after);
    }
    xmlFree(value);
}

/// Visits `node`; returns whether its children are to be visited.
static int enter(xmlNode *node, buffer *text, buffer *links) {
    switch (node->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        if (node->content) append_string(text, (const char *)node->content);
        return 0;
    case XML_ELEMENT_NODE:
        if (among(node->name, hidden)) return 0;
        if (among(node->name, blocks)) append(text, "\n", 1);
        if (strcasecmp((const char *)node->name, "a") == 0) attribute(links, node, "href", "", "\n");
        if (strcasecmp((const char *)node->name, "img") == 0) attribute(text, node, "alt", " ", " ");
        return 1;
    default:
        // Comments (WordPress's block markers among them), processing instructions, the doctype.
        return 0;
    }
}

static void leave(xmlNode *node, buffer *text) {
    if (node->type == XML_ELEMENT_NODE && among(node->name, blocks)) append(text, "\n", 1);
}

int kindred_html_extract(const char *html, size_t length, char **text_out, size_t *text_length, char **links_out,
                         size_t *links_length) {
    buffer text = {0}, links = {0};
    *text_out = *links_out = 0;
    *text_length = *links_length = 0;
    if (length > 0x7fffffff) return -1;
    const int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                        HTML_PARSE_NOIMPLIED | HTML_PARSE_COMPACT | XML_PARSE_HUGE;
    htmlDocPtr document = length ? htmlReadMemory(html, (int)length, 0, "UTF-8", options) : 0;
    if (document) {
        // Pre-order walk without recursion: the document's nesting depth is not the stack's.
        xmlNode *node = document->children;
        while (node) {
            if (enter(node, &text, &links) && node->children) {
                node = node->children;
                continue;
            }
            while (node) {
                leave(node, &text);
                if (node->next) {
                    node = node->next;
                    break;
                }
                node = node->parent;
                if (!node || (xmlDoc *)node == (xmlDoc *)document) {
                    node = 0;
                    break;
                }
            }
        }
        xmlFreeDoc(document);
    } else if (length) {
        free(text.bytes);
        free(links.bytes);
        return -1;
    }
    if (text.failed || links.failed) {
        free(text.bytes);
        free(links.bytes);
        return -1;
    }
    *text_out = text.bytes;
    *text_length = text.length;
    *links_out = links.bytes;
    *links_length = links.length;
    return 0;
}

/* xml.h: the little XML we read (STS query-protocol answers, S3 and auth-failure error bodies),
 * through libxml2. Pure: no I/O, no global state beyond libxml2's own (initialised once,
 * thread-safe). Input is (ptr, len), never assumed NUL-terminated; entities are decoded; no
 * network or DTD loading (XML_PARSE_NONET, no entity expansion from outside). */
#ifndef SAGETOP_XML_H
#define SAGETOP_XML_H

#include <stddef.h>

#include "aws/err.h"

/* Copies the text of the first element whose local name is `name` (namespaces ignored),
 * searching depth-first, into out (truncated to outlen-1, NUL-terminated).
 * Returns 0, ERR_NOTFOUND (no such element; out untouched) or ERR_PARSE (not XML). */
int xml_text(const char *doc, size_t len, const char *name, char *out, size_t outlen,
             struct err *e);

#endif

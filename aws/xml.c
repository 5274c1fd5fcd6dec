/* xml.c: reading one element's text out of a small XML answer (xml.h), through libxml2.
 *
 * Owns no state beyond libxml2's one-time initialisation. Must not load anything from the
 * network or the file system: the document is parsed with XML_PARSE_NONET, without entity
 * substitution from outside and without DTD loading, and its size is capped. */
#include "aws/xml.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#define XML_MAX_DOC (16u << 20)

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

/* Depth-first, iteratively: a hostile document cannot exhaust the stack here (libxml2 itself
 * caps nesting at 256 without XML_PARSE_HUGE). */
static xmlNode *find_element(xmlNode *root, const char *name)
{
    xmlNode *n = root;

    while (n != NULL) {
        if (n->type == XML_ELEMENT_NODE && n->name != NULL &&
            strcmp((const char *)n->name, name) == 0)
            return n;
        if (n->children != NULL && n->type == XML_ELEMENT_NODE) {
            n = n->children;
            continue;
        }
        while (n != NULL && n->next == NULL) {
            n = n->parent;
            if (n == NULL || n == root->parent)
                return NULL;
        }
        if (n != NULL)
            n = n->next;
    }
    return NULL;
}

int xml_text(const char *doc, size_t len, const char *name, char *out, size_t outlen,
             struct err *e)
{
    xmlDoc *d;
    xmlNode *root, *n;
    xmlChar *text;
    size_t tl;
    int rc = 0;

    if (doc == NULL || name == NULL || out == NULL || outlen == 0)
        return err_set(e, ERR_INVAL, "xml_text: bad arguments");
    if (len > XML_MAX_DOC)
        return err_set(e, ERR_TOOBIG, "XML document larger than %u bytes", XML_MAX_DOC);
    pthread_once(&xml_once, xml_init);
    d = xmlReadMemory(doc, (int)len, "response.xml", NULL,
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                          XML_PARSE_NOBLANKS);
    if (d == NULL)
        return err_set(e, ERR_PARSE, "response is not well-formed XML");
    /* AWS never sends a DTD; refusing one rules out entity-expansion bombs */
    if (d->intSubset != NULL || d->extSubset != NULL) {
        rc = err_set(e, ERR_PARSE, "XML response with a DTD refused");
        goto out;
    }
    root = xmlDocGetRootElement(d);
    if (root == NULL) {
        rc = err_set(e, ERR_PARSE, "XML document has no root element");
        goto out;
    }
    n = find_element(root, name);
    if (n == NULL) {
        rc = err_set(e, ERR_NOTFOUND, "no <%.64s> element in the XML response", name);
        goto out;
    }
    text = xmlNodeGetContent(n);
    if (text == NULL) {
        out[0] = '\0';
        goto out;
    }
    tl = strlen((const char *)text);
    if (tl >= outlen)
        tl = outlen - 1;
    memcpy(out, text, tl);
    out[tl] = '\0';
    /* the text may be a secret access key or session token */
    memset(text, 0, strlen((const char *)text));
    xmlFree(text);
out:
    xmlFreeDoc(d);
    return rc;
}

/* fuzz_xml.c: libFuzzer target for xml_text() (aws/xml.c) and the STS answer parsers that sit
 * on it (aws/sts.c): hostile or truncated XML must fail cleanly. */
#include <stddef.h>
#include <stdint.h>

#include "aws/creds.h"
#include "aws/sts.h"
#include "aws/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *doc = (const char *)data;
    struct aws_creds c;
    struct sts_identity id;
    char out[64];

    (void)xml_text(doc, size, "Code", out, sizeof(out), NULL);
    (void)xml_text(doc, size, "Message", out, 2, NULL);
    if (sts_parse_assume_role(doc, size, &c, NULL) == 0)
        aws_creds_clean(&c);
    (void)sts_parse_caller_identity(doc, size, &id, NULL);
    return 0;
}

/* test_xml.c: xml_text() on STS answers, error bodies and hostile input. */
#include <criterion/criterion.h>
#include <string.h>

#include "aws/xml.h"

static const char sts_answer[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "  <AssumeRoleResult>\n"
    "    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>\n"
    "      <AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>\n"
    "    <Credentials>\n"
    "      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>\n"
    "      <SecretAccessKey>se/cr+et</SecretAccessKey>\n"
    "      <SessionToken>tok&amp;en</SessionToken>\n"
    "      <Expiration>2030-01-01T00:00:00Z</Expiration>\n"
    "    </Credentials>\n"
    "  </AssumeRoleResult>\n"
    "  <ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>\n"
    "</AssumeRoleResponse>\n";

Test(xml, finds_nested_elements_ignoring_namespaces)
{
    char out[128];
    struct err e = {0};

    cr_assert_eq(xml_text(sts_answer, strlen(sts_answer), "AccessKeyId", out, sizeof(out), &e),
                 0, "%s", e.msg);
    cr_assert_str_eq(out, "ASIAEXAMPLE");
    cr_assert_eq(xml_text(sts_answer, strlen(sts_answer), "SessionToken", out, sizeof(out), &e),
                 0);
    cr_assert_str_eq(out, "tok&en", "entities decoded");
    cr_assert_eq(xml_text(sts_answer, strlen(sts_answer), "RequestId", out, sizeof(out), &e), 0);
    cr_assert_str_eq(out, "rid-1");
    cr_assert_eq(xml_text(sts_answer, strlen(sts_answer), "Arn", out, sizeof(out), &e), 0);
    cr_assert_str_eq(out, "arn:aws:sts::123456789012:assumed-role/r/s");
}

Test(xml, prefixed_namespace_and_first_match_depth_first)
{
    const char *doc = "<a:Root xmlns:a=\"urn:x\"><a:Outer><a:Code>First</a:Code></a:Outer>"
                      "<a:Code>Second</a:Code></a:Root>";
    char out[32];

    cr_assert_eq(xml_text(doc, strlen(doc), "Code", out, sizeof(out), NULL), 0);
    cr_assert_str_eq(out, "First");
}

Test(xml, error_body)
{
    const char *doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse><Error>"
                      "<Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request "
                      "signature we calculated does not match</Message></Error>"
                      "<RequestId>abc</RequestId></ErrorResponse>";
    char out[128];

    cr_assert_eq(xml_text(doc, strlen(doc), "Code", out, sizeof(out), NULL), 0);
    cr_assert_str_eq(out, "SignatureDoesNotMatch");
    cr_assert_eq(xml_text(doc, strlen(doc), "Message", out, sizeof(out), NULL), 0);
    cr_assert_str_eq(out, "The request signature we calculated does not match");
}

Test(xml, missing_element_leaves_out_untouched)
{
    char out[16] = "keep";
    struct err e = {0};

    cr_assert_eq(xml_text(sts_answer, strlen(sts_answer), "Nope", out, sizeof(out), &e),
                 ERR_NOTFOUND);
    cr_assert_str_eq(out, "keep");
    cr_assert(strstr(e.msg, "Nope") != NULL);
}

Test(xml, truncates_to_outlen)
{
    char out[5];

    cr_assert_eq(xml_text(sts_answer, strlen(sts_answer), "AccessKeyId", out, sizeof(out),
                          NULL), 0);
    cr_assert_str_eq(out, "ASIA");
}

Test(xml, empty_element)
{
    const char *doc = "<R><Token/></R>";
    char out[8] = "x";

    cr_assert_eq(xml_text(doc, strlen(doc), "Token", out, sizeof(out), NULL), 0);
    cr_assert_str_eq(out, "");
}

Test(xml, not_xml_and_truncated)
{
    struct err e = {0};
    char out[8];

    cr_assert_eq(xml_text("{\"json\":1}", 10, "a", out, sizeof(out), &e), ERR_PARSE);
    cr_assert_eq(xml_text(sts_answer, 100, "AccessKeyId", out, sizeof(out), &e), ERR_PARSE);
    cr_assert_eq(xml_text("", 0, "a", out, sizeof(out), &e), ERR_PARSE);
}

Test(xml, length_bounds_input)
{
    /* only the first len bytes count: the rest would make it malformed */
    const char doc[] = "<R><A>1</A></R>garbage<<<";
    char out[8];

    cr_assert_eq(xml_text(doc, 15, "A", out, sizeof(out), NULL), 0);
    cr_assert_str_eq(out, "1");
}

Test(xml, dtd_and_external_entities_refused)
{
    const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
                      "\"file:///etc/passwd\">]><r><A>&x;</A></r>";
    const char *bomb = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">"
                       "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><r><A>&b;</A></r>";
    char out[64] = "";
    struct err e = {0};

    cr_assert_eq(xml_text(xxe, strlen(xxe), "A", out, sizeof(out), &e), ERR_PARSE);
    cr_assert(strstr(out, "root:") == NULL);
    cr_assert_eq(xml_text(bomb, strlen(bomb), "A", out, sizeof(out), &e), ERR_PARSE);
}

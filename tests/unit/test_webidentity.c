/* test_webidentity.c: web identity credentials (EKS IRSA, GitHub OIDC) in the chain, as botocore
 * resolves them: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (+ AWS_ROLE_SESSION_NAME), profiles
 * with role_arn + web_identity_token_file, an unsigned STS AssumeRoleWithWebIdentity, the place
 * in the chain, refresh (the token file is read again) and the token never in a message. STS is
 * the loopback HTTP server. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/config.h"
#include "support/aws_env.h"
#include "aws/creds.h"
#include "support/loopback_http.h"

static char tmpdir[256];
static char cfg_path[300];
static char cred_path[300];
static char token_path[300];
static struct loopback_http *srv;

static const char token_a[] = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.SIGNATURE-A+/=";

static const char answer[] =
    "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
    "<AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>system</SubjectFromWebIdentity"
    "Token><Credentials><AccessKeyId>ASIAWEBID</AccessKeyId><SecretAccessKey>sw</SecretAccessKey>"
    "<SessionToken>tw</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
    "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r1</RequestId>"
    "</ResponseMetadata></AssumeRoleWithWebIdentityResponse>";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    aws_env_clear();
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/sagetop-webid-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    setenv("HOME", tmpdir, 1);
    snprintf(cfg_path, sizeof(cfg_path), "%s/config", tmpdir);
    snprintf(cred_path, sizeof(cred_path), "%s/credentials", tmpdir);
    snprintf(token_path, sizeof(token_path), "%s/token", tmpdir);
    setenv("AWS_CONFIG_FILE", cfg_path, 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
    setenv("AWS_REGION", "eu-west-1", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    write_file(token_path, token_a);
    srv = loopback_http_start();
    cr_assert_not_null(srv);
    setenv("AWS_ENDPOINT_URL_STS", loopback_http_url(srv), 1);
    loopback_http_route(srv, "POST", "/", 200, "text/xml", answer);
}

static void teardown(void)
{
    char cmd[400];

    loopback_http_stop(srv);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup of %s failed\n", tmpdir);
}

TestSuite(webidentity, .init = setup, .fini = teardown);


static struct aws_creds get_ok(const char *profile)
{
    struct aws_env_chain f = aws_env_chain_open(profile);
    struct aws_creds c;
    struct err e = {0};

    cr_assert_eq(aws_creds_provider_get(f.p, &c, &e), 0, "get: %s", e.msg);
    aws_env_chain_close(&f);
    return c;
}


static void env_web_identity(void)
{
    setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/Irsa", 1);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_path, 1);
}

Test(webidentity, from_env_unsigned_query_request)
{
    struct loopback_request r;
    struct aws_creds c;
    char hdr[512];

    env_web_identity();
    setenv("AWS_ROLE_SESSION_NAME", "pod@ns", 1);
    c = get_ok(NULL);
    cr_assert_str_eq(c.access_key_id, "ASIAWEBID");
    cr_assert_str_eq(c.secret_access_key, "sw");
    cr_assert_str_eq(c.session_token, "tw");
    cr_assert_str_eq(c.source, "web-identity");
    cr_assert_eq(c.expiration, 4070908800);
    cr_assert_eq(loopback_http_count(srv), 1);
    loopback_http_request(srv, 0, &r);
    cr_assert_str_eq(r.method, "POST");
    cr_assert_str_eq(r.target, "/");
    cr_assert_str_eq(r.body, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
                             "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FIrsa"
                             "&RoleSessionName=pod%40ns&WebIdentityToken=eyJhbGciOiJSUzI1NiJ9."
                             "eyJzdWIiOiJzeXN0ZW0ifQ.SIGNATURE-A%2B%2F%3D");
    cr_assert_null(loopback_header(&r, "Authorization", hdr, sizeof(hdr)), "unsigned");
    cr_assert_null(loopback_header(&r, "X-Amz-Security-Token", hdr, sizeof(hdr)));
    cr_assert_not_null(loopback_header(&r, "Content-Type", hdr, sizeof(hdr)));
    cr_assert(strstr(hdr, "application/x-www-form-urlencoded") != NULL, "%s", hdr);
}

Test(webidentity, default_session_name)
{
    struct loopback_request r;

    env_web_identity();
    get_ok(NULL);
    loopback_http_request(srv, 0, &r);
    cr_assert(strstr(r.body, "&RoleSessionName=sagetop-1") != NULL, "%s", r.body);
}

Test(webidentity, profile_with_role_arn_and_token_file_is_no_source_profile_error)
{
    struct loopback_request r;
    char text[600];

    snprintf(text, sizeof(text),
             "[profile ci]\nrole_arn = arn:aws:iam::1:role/Ci\nweb_identity_token_file = %s\n"
             "role_session_name = gh-run-7\n", token_path);
    write_file(cfg_path, text);
    cr_assert_str_eq(get_ok("ci").source, "web-identity");
    loopback_http_request(srv, 0, &r);
    cr_assert(strstr(r.body, "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2FCi&RoleSessionName="
                             "gh-run-7&WebIdentityToken=") != NULL, "%s", r.body);
}

Test(webidentity, source_profile_may_be_a_web_identity_profile)
{
    char text[700];

    snprintf(text, sizeof(text),
             "[profile ci]\nrole_arn = arn:aws:iam::1:role/Ci\nweb_identity_token_file = %s\n"
             "[profile next]\nrole_arn = arn:aws:iam::2:role/Next\nsource_profile = ci\n",
             token_path);
    write_file(cfg_path, text);
    /* the loopback answers both calls with the web identity answer; the second is AssumeRole */
    get_ok("next");
    cr_assert_eq(loopback_http_count(srv), 2);
}

Test(webidentity, env_keys_come_first_web_identity_before_the_credentials_file)
{
    env_web_identity();
    write_file(cred_path, "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
    cr_assert_str_eq(get_ok(NULL).source, "web-identity");
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "se", 1);
    cr_assert_str_eq(get_ok(NULL).access_key_id, "AKIDENV");
    cr_assert_eq(loopback_http_count(srv), 1);
}

Test(webidentity, env_values_override_the_profile_key_by_key)
{
    struct loopback_request r;
    char text[600];

    snprintf(text, sizeof(text),
             "[default]\nrole_arn = arn:aws:iam::1:role/FromProfile\n"
             "web_identity_token_file = %s\nrole_session_name = profile-session\n", token_path);
    write_file(cfg_path, text);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::2:role/FromEnv", 1);
    get_ok(NULL);
    loopback_http_request(srv, 0, &r);
    cr_assert(strstr(r.body, "role%2FFromEnv&RoleSessionName=profile-session&") != NULL, "%s",
              r.body);
}

Test(webidentity, explicit_profile_ignores_the_environment)
{
    struct err e = {0};

    env_web_identity();
    write_file(cfg_path, "[profile plain]\nregion = eu-west-1\n");
    cr_assert_eq(aws_env_get_err("plain", &e), ERR_AUTH);
    cr_assert(strstr(e.msg, "no AWS credentials found") != NULL, "%s", e.msg);
    cr_assert_eq(loopback_http_count(srv), 0);
}

Test(webidentity, token_file_without_role_arn)
{
    struct err e = {0};

    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_path, 1);
    cr_assert_eq(aws_env_get_err(NULL, &e), ERR_CONFIG);
    cr_assert(strstr(e.msg, "AWS_ROLE_ARN") != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "role_arn") != NULL, "%s", e.msg);
}

Test(webidentity, missing_token_file_names_the_file)
{
    struct err e = {0};

    env_web_identity();
    unlink(token_path);
    cr_assert_neq(aws_env_get_err(NULL, &e), 0);
    cr_assert(strstr(e.msg, token_path) != NULL, "%s", e.msg);
    cr_assert_eq(loopback_http_count(srv), 0);
}

Test(webidentity, sts_refusal_never_shows_the_token)
{
    struct err e = {0};

    env_web_identity();
    loopback_http_route(srv, "POST", "/", 400, "text/xml",
                        "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken"
                        "</Code><Message>Couldn't retrieve verification key from your identity "
                        "provider</Message></Error><RequestId>r2</RequestId></ErrorResponse>");
    cr_assert_eq(aws_env_get_err(NULL, &e), ERR_AUTH);
    cr_assert(strstr(e.msg, "InvalidIdentityToken") != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "role/Irsa") != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "SIGNATURE-A") == NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "eyJ") == NULL, "%s", e.msg);
}

Test(webidentity, refreshed_before_expiry_with_the_token_read_again)
{
    struct loopback_request r;
    struct aws_creds c;
    struct aws_env_chain f;
    char soon[1200], when[32];
    time_t t = time(NULL) + 120;   /* inside the refresh window: refreshed on the next get */

    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    snprintf(soon, sizeof(soon),
             "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
             "<AccessKeyId>ASIASOON</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
             "<SessionToken>t</SessionToken><Expiration>%s</Expiration></Credentials>"
             "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>", when);
    loopback_http_route(srv, "POST", "/", 200, "text/xml", soon);
    env_web_identity();
    f = aws_env_chain_open(NULL);
    cr_assert_eq(aws_creds_provider_get(f.p, &c, NULL), 0);
    cr_assert_str_eq(c.access_key_id, "ASIASOON");
    write_file(token_path, "rotated-token-B");
    cr_assert_eq(aws_creds_provider_get(f.p, &c, NULL), 0);
    cr_assert_eq(loopback_http_count(srv), 2, "refreshed");
    loopback_http_request(srv, 1, &r);
    cr_assert(strstr(r.body, "&WebIdentityToken=rotated-token-B") != NULL, "%s", r.body);
    aws_env_chain_close(&f);
}

/* test_config.c: the shared-file INI parser and every precedence rule of config.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/config.h"
#include "aws/ini.h"

extern char **environ;

static char tmpdir[256];
static char cfg_path[300];
static char cred_path[300];

/* Every test starts from an empty AWS environment and a private HOME. */
static void setup(void)
{
    char **v;
    char name[256];

    for (;;) {
        for (v = environ; *v != NULL; v++)
            if (strncmp(*v, "AWS_", 4) == 0)
                break;
        if (*v == NULL)
            break;
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(*v, "="), *v);
        unsetenv(name);
    }
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/sagetop-config-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    setenv("HOME", tmpdir, 1);
    snprintf(cfg_path, sizeof(cfg_path), "%s/config", tmpdir);
    snprintf(cred_path, sizeof(cred_path), "%s/credentials", tmpdir);
    setenv("AWS_CONFIG_FILE", cfg_path, 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
}

static void teardown(void)
{
    unlink(cfg_path);
    unlink(cred_path);
    rmdir(tmpdir);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static struct aws_config *load(const char *profile, const char *region, const char *endpoint)
{
    struct aws_options o = {.profile = profile, .region = region, .endpoint_url = endpoint};
    struct err e = {0};
    struct aws_config *c = aws_config_load(&o, &e);

    cr_assert_not_null(c, "load failed: %s", e.msg);
    return c;
}

static int load_fails(const char *profile, const char *region, struct err *e)
{
    struct aws_options o = {.profile = profile, .region = region};
    struct aws_config *c = aws_config_load(&o, e);

    cr_assert_null(c);
    return e->code;
}

static const char *endpoint(struct aws_config *c, enum aws_service s)
{
    static struct aws_endpoint ep;
    struct err e = {0};

    cr_assert_eq(aws_config_endpoint(c, s, &ep, &e), 0, "%s", e.msg);
    return ep.url;
}

/* ---- INI parser ---------------------------------------------------------------------------- */

static struct ini *parse(const char *text)
{
    struct err e = {0};
    struct ini *ini = ini_parse(text, strlen(text), "t.ini", &e);

    cr_assert_not_null(ini, "parse failed: %s", e.msg);
    return ini;
}

Test(ini, sections_keys_comments_and_delimiters)
{
    struct ini *ini = parse("\xEF\xBB\xBF# top comment\r\n"
                            "; another\n"
                            "[default]\r\n"
                            "Region = eu-west-1\n"
                            "  # indented comment\n"
                            "output: json\n"
                            "empty =\n"
                            "quoted = \"a b\"  \n"
                            "url = http://h:1/p?x=1\n"
                            "[profile  dev ]\n"
                            "region=us-east-2\n");
    const struct ini_section *d = ini_section(ini, "default");

    cr_assert_not_null(d);
    cr_assert_str_eq(ini_get(d, "region"), "eu-west-1");
    cr_assert_str_eq(ini_get(d, "REGION"), "eu-west-1");
    cr_assert_str_eq(ini_get(d, "output"), "json");
    cr_assert_str_eq(ini_get(d, "empty"), "");
    cr_assert_str_eq(ini_get(d, "quoted"), "\"a b\"", "quotes are literal, as in botocore");
    cr_assert_str_eq(ini_get(d, "url"), "http://h:1/p?x=1", "only the first '=' splits");
    cr_assert_null(ini_get(d, "# indented comment"));
    cr_assert_not_null(ini_section(ini, "profile  dev"));
    cr_assert_eq(ini->n_sections, 2);
    ini_free(ini);
}

Test(ini, nested_services_block)
{
    struct ini *ini = parse("[services dev]\n"
                            "sagemaker =\n"
                            "  endpoint_url = http://127.0.0.1:9001\n"
                            "\n"
                            "  other = x\n"
                            "cloudwatch_logs =\n"
                            "\tendpoint_url = http://127.0.0.1:9002\n"
                            "s3 = plain\n"
                            "  continued line\n");
    const struct ini_section *s = ini_section(ini, "services dev");

    cr_assert_str_eq(ini_get_nested(s, "sagemaker", "endpoint_url"), "http://127.0.0.1:9001");
    cr_assert_str_eq(ini_get_nested(s, "sagemaker", "other"), "x");
    cr_assert_str_eq(ini_get_nested(s, "cloudwatch_logs", "endpoint_url"),
                     "http://127.0.0.1:9002");
    cr_assert_str_eq(ini_get(s, "s3"), "plain\ncontinued line", "a non-empty value continues");
    cr_assert_null(ini_get_nested(s, "s3", "endpoint_url"));
    ini_free(ini);
}

Test(ini, repeated_sections_merge_and_later_keys_win)
{
    struct ini *ini = parse("[a]\nx = 1\ny = 2\n[b]\nz = 3\n[a]\nx = 9\n");
    const struct ini_section *a = ini_section(ini, "a");

    cr_assert_eq(ini->n_sections, 2);
    cr_assert_str_eq(ini_get(a, "x"), "9");
    cr_assert_str_eq(ini_get(a, "y"), "2");
    ini_free(ini);
}

Test(ini, not_nul_terminated_input)
{
    char buf[] = {'[', 'a', ']', '\n', 'k', '=', 'v', 'X', 'Y'};
    struct ini *ini = ini_parse(buf, 7, "t", NULL);

    cr_assert_not_null(ini);
    cr_assert_str_eq(ini_get(ini_section(ini, "a"), "k"), "v");
    ini_free(ini);
}

static void expect_parse_error(const char *text, const char *needle)
{
    struct err e = {0};

    cr_assert_null(ini_parse(text, strlen(text), "myfile", &e), "accepted: %s", text);
    cr_assert_eq(e.code, ERR_PARSE);
    cr_assert(strstr(e.msg, needle) != NULL, "message '%s' lacks '%s'", e.msg, needle);
}

Test(ini, malformed_lines_name_file_and_line)
{
    expect_parse_error("[a]\nk = v\n\njust words\n", "myfile line 4: expected 'key = value'");
    expect_parse_error("k = v\n", "myfile line 1: key outside a section");
    expect_parse_error("[a]\n[b\n", "myfile line 2: section header without ']'");
    expect_parse_error("[ ]\n", "line 1: empty section name");
    expect_parse_error("[a]\n = v\n", "line 2: missing key");
    expect_parse_error("[s]\nsagemaker =\n  not a pair\n", "line 3: expected 'key = value'");
    expect_parse_error("[s]\nsagemaker =\n  a: b\n", "line 3:");
}

Test(ini, nul_byte_and_caps)
{
    struct err e = {0};
    char buf[] = "[a]\nk = v\0w\n";
    char *big;

    cr_assert_null(ini_parse(buf, sizeof(buf) - 1, "f", &e));
    cr_assert_eq(e.code, ERR_PARSE);
    cr_assert(strstr(e.msg, "line 2") != NULL);
    big = malloc(INI_MAX_LINE + 10);
    memset(big, 'a', INI_MAX_LINE + 10);
    cr_assert_null(ini_parse(big, INI_MAX_LINE + 10, "f", &e));
    cr_assert_eq(e.code, ERR_TOOBIG);
    free(big);
}

Test(ini, empty_input)
{
    struct ini *ini = ini_parse("", 0, NULL, NULL);

    cr_assert_not_null(ini);
    cr_assert_eq(ini->n_sections, 0);
    cr_assert_null(ini_section(ini, "default"));
    ini_free(ini);
}

/* ---- profile -------------------------------------------------------------------------------- */

TestSuite(config, .init = setup, .fini = teardown);

Test(config, profile_default_when_nothing_set)
{
    struct aws_config *c = load(NULL, "us-east-1", NULL);

    cr_assert_str_eq(aws_config_profile(c), "default");
    cr_assert_not(aws_config_profile_explicit(c));
    aws_config_free(c);
}

Test(config, profile_precedence)
{
    struct aws_config *c;

    write_file(cfg_path, "[profile a]\n[profile b]\n[profile c]\n");
    setenv("AWS_DEFAULT_PROFILE", "a", 1);
    c = load(NULL, "us-east-1", NULL);
    cr_assert_str_eq(aws_config_profile(c), "a");
    aws_config_free(c);
    setenv("AWS_PROFILE", "b", 1);
    c = load(NULL, "us-east-1", NULL);
    cr_assert_str_eq(aws_config_profile(c), "b", "AWS_PROFILE before AWS_DEFAULT_PROFILE");
    cr_assert_not(aws_config_profile_explicit(c));
    aws_config_free(c);
    c = load("c", "us-east-1", NULL);
    cr_assert_str_eq(aws_config_profile(c), "c", "--profile wins");
    cr_assert(aws_config_profile_explicit(c));
    aws_config_free(c);
}

Test(config, unknown_profile_is_a_clear_error)
{
    struct err e = {0};

    write_file(cfg_path, "[profile real]\nregion = eu-west-1\n");
    cr_assert_eq(load_fails("nosuch", NULL, &e), ERR_CONFIG);
    cr_assert(strstr(e.msg, "profile 'nosuch' (from --profile) not found") != NULL, "%s", e.msg);
    setenv("AWS_PROFILE", "ghost", 1);
    cr_assert_eq(load_fails(NULL, "us-east-1", &e), ERR_CONFIG);
    cr_assert(strstr(e.msg, "'ghost' (from AWS_PROFILE)") != NULL, "%s", e.msg);
}

Test(config, bare_section_in_config_is_not_a_profile)
{
    struct err e = {0};

    write_file(cfg_path, "[dev]\nregion = eu-west-1\n");
    cr_assert_eq(load_fails("dev", NULL, &e), ERR_CONFIG);
    write_file(cred_path, "[dev]\naws_access_key_id = AKID\n");
    aws_config_free(load("dev", "us-east-1", NULL));
}

Test(config, credentials_file_keys_override_config_file)
{
    struct aws_config *c;

    write_file(cfg_path, "[profile dev]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\n"
                         "output = json\n");
    write_file(cred_path, "[dev]\naws_access_key_id = FROMCREDS\n");
    c = load("dev", NULL, NULL);
    cr_assert_str_eq(aws_config_get(c, "aws_access_key_id"), "FROMCREDS");
    cr_assert_str_eq(aws_config_get(c, "output"), "json");
    cr_assert_str_eq(aws_config_file_get(c, AWS_FILE_CONFIG, "dev", "aws_access_key_id"),
                     "FROMCONFIG");
    cr_assert_str_eq(aws_config_file_get(c, AWS_FILE_CREDENTIALS, "dev", "aws_access_key_id"),
                     "FROMCREDS");
    cr_assert_null(aws_config_get(c, "nothing"));
    aws_config_free(c);
}

Test(config, other_profiles_and_sso_sessions)
{
    struct aws_config *c;

    write_file(cfg_path, "[default]\nregion = us-west-2\n[profile src]\nrole_arn = arn:x\n"
                         "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
                         "sso_region = eu-central-1\n");
    c = load(NULL, NULL, NULL);
    cr_assert_str_eq(aws_config_region(c), "us-west-2");
    cr_assert_str_eq(aws_config_profile_get(c, "src", "role_arn"), "arn:x");
    cr_assert_str_eq(aws_config_sso_session_get(c, "corp", "sso_region"), "eu-central-1");
    cr_assert_null(aws_config_sso_session_get(c, "other", "sso_region"));
    cr_assert(aws_config_has_profile(c, "src"));
    cr_assert_not(aws_config_has_profile(c, "corp"));
    aws_config_free(c);
}

Test(config, config_file_path_with_tilde)
{
    struct aws_config *c;
    char p[400];

    snprintf(p, sizeof(p), "%s/other.ini", tmpdir);
    write_file(p, "[default]\nregion = ap-south-1\n");
    setenv("AWS_CONFIG_FILE", "~/other.ini", 1);
    c = load(NULL, NULL, NULL);
    cr_assert_str_eq(aws_config_region(c), "ap-south-1");
    aws_config_free(c);
    unlink(p);
}

Test(config, default_files_under_home)
{
    struct aws_config *c;
    char d[400], p[450];

    unsetenv("AWS_CONFIG_FILE");
    snprintf(d, sizeof(d), "%s/.aws", tmpdir);
    mkdir(d, 0700);
    snprintf(p, sizeof(p), "%s/config", d);
    write_file(p, "[default]\nregion = sa-east-1\n");
    c = load(NULL, NULL, NULL);
    cr_assert_str_eq(aws_config_region(c), "sa-east-1");
    cr_assert_str_eq(aws_config_home(c), tmpdir);
    aws_config_free(c);
    unlink(p);
    rmdir(d);
}

Test(config, malformed_file_names_file_and_line)
{
    struct err e = {0};

    write_file(cfg_path, "[default]\nregion = eu-west-1\nbroken line\n");
    cr_assert_eq(load_fails(NULL, NULL, &e), ERR_PARSE);
    cr_assert(strstr(e.msg, cfg_path) != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "line 3") != NULL, "%s", e.msg);
}

/* ---- region --------------------------------------------------------------------------------- */

Test(config, region_precedence)
{
    struct aws_config *c;

    write_file(cfg_path, "[default]\nregion = eu-west-1\n");
    c = load(NULL, NULL, NULL);
    cr_assert_str_eq(aws_config_region(c), "eu-west-1");
    aws_config_free(c);
    setenv("AWS_DEFAULT_REGION", "eu-west-2", 1);
    c = load(NULL, NULL, NULL);
    cr_assert_str_eq(aws_config_region(c), "eu-west-2");
    aws_config_free(c);
    setenv("AWS_REGION", "eu-west-3", 1);
    c = load(NULL, NULL, NULL);
    cr_assert_str_eq(aws_config_region(c), "eu-west-3");
    aws_config_free(c);
    c = load(NULL, "eu-north-1", NULL);
    cr_assert_str_eq(aws_config_region(c), "eu-north-1");
    aws_config_free(c);
}

Test(config, empty_env_region_counts_as_unset)
{
    struct aws_config *c;

    write_file(cfg_path, "[default]\nregion = eu-west-1\n");
    setenv("AWS_REGION", "", 1);
    c = load(NULL, NULL, NULL);
    cr_assert_str_eq(aws_config_region(c), "eu-west-1");
    aws_config_free(c);
}

Test(config, no_region_says_how_to_set_one)
{
    struct err e = {0};

    write_file(cfg_path, "[profile dev]\noutput = json\n");
    cr_assert_eq(load_fails("dev", NULL, &e), ERR_CONFIG);
    cr_assert_str_eq(e.msg, "no region: set AWS_REGION, pass --region, or add 'region = ...' "
                            "to profile dev in ~/.aws/config");
}

Test(config, invalid_region_refused)
{
    struct err e = {0};

    cr_assert_eq(load_fails(NULL, "evil.com/x", &e), ERR_CONFIG);
    cr_assert(strstr(e.msg, "invalid region") != NULL);
    cr_assert_eq(load_fails(NULL, "US-EAST-1", &e), ERR_CONFIG);
}

/* ---- endpoints ------------------------------------------------------------------------------ */

Test(config, regional_defaults)
{
    struct aws_config *c = load(NULL, "eu-west-1", NULL);
    struct aws_endpoint ep;

    cr_assert_str_eq(endpoint(c, AWS_SAGEMAKER), "https://api.sagemaker.eu-west-1.amazonaws.com");
    cr_assert_str_eq(endpoint(c, AWS_LOGS), "https://logs.eu-west-1.amazonaws.com");
    cr_assert_str_eq(endpoint(c, AWS_S3), "https://s3.eu-west-1.amazonaws.com");
    cr_assert_str_eq(endpoint(c, AWS_STS), "https://sts.eu-west-1.amazonaws.com");
    cr_assert_str_eq(endpoint(c, AWS_SSO), "https://portal.sso.eu-west-1.amazonaws.com");
    cr_assert_eq(aws_config_endpoint(c, AWS_SAGEMAKER, &ep, NULL), 0);
    cr_assert_str_eq(ep.host, "api.sagemaker.eu-west-1.amazonaws.com");
    cr_assert_not(ep.custom);
    cr_assert_str_eq(ep.signing_name, "sagemaker");
    cr_assert_str_eq(ep.signing_region, "eu-west-1");
    cr_assert_eq(aws_config_endpoint(c, AWS_LOGS, &ep, NULL), 0);
    cr_assert_str_eq(ep.signing_name, "logs");
    cr_assert_eq(aws_config_endpoint(c, AWS_SSO, &ep, NULL), 0);
    cr_assert_str_eq(ep.signing_name, "awsssoportal");
    aws_config_free(c);
}

Test(config, china_partition_domain)
{
    struct aws_config *c = load(NULL, "cn-north-1", NULL);

    cr_assert_str_eq(endpoint(c, AWS_SAGEMAKER),
                     "https://api.sagemaker.cn-north-1.amazonaws.com.cn");
    cr_assert_str_eq(endpoint(c, AWS_LOGS), "https://logs.cn-north-1.amazonaws.com.cn");
    cr_assert_str_eq(endpoint(c, AWS_S3), "https://s3.cn-north-1.amazonaws.com.cn");
    cr_assert_str_eq(endpoint(c, AWS_STS), "https://sts.cn-north-1.amazonaws.com.cn");
    cr_assert_str_eq(endpoint(c, AWS_SSO), "https://portal.sso.cn-north-1.amazonaws.com.cn");
    aws_config_free(c);
}

Test(config, endpoint_in_another_region)
{
    struct aws_config *c = load(NULL, "eu-west-1", NULL);
    struct aws_endpoint ep;
    struct err e = {0};

    cr_assert_eq(aws_config_endpoint_in_region(c, AWS_SSO, "us-east-1", &ep, &e), 0);
    cr_assert_str_eq(ep.url, "https://portal.sso.us-east-1.amazonaws.com");
    cr_assert_str_eq(ep.signing_region, "us-east-1");
    cr_assert_eq(aws_config_endpoint_in_region(c, AWS_SSO, "x/../", &ep, &e), ERR_CONFIG);
    aws_config_free(c);
}

Test(config, endpoint_precedence_chain)
{
    struct aws_config *c;
    struct aws_endpoint ep;

    write_file(cfg_path, "[default]\nregion = eu-west-1\nservices = local\n"
                         "endpoint_url = http://profile:1\n"
                         "[services local]\n"
                         "sagemaker =\n  endpoint_url = http://services-sm:2/\n"
                         "cloudwatch_logs =\n  endpoint_url = http://services-logs:3\n"
                         "logs =\n  endpoint_url = http://wrong:9\n");
    c = load(NULL, NULL, NULL);
    cr_assert_str_eq(endpoint(c, AWS_SAGEMAKER), "http://services-sm:2");
    cr_assert_str_eq(endpoint(c, AWS_LOGS), "http://services-logs:3");
    cr_assert_str_eq(endpoint(c, AWS_S3), "http://profile:1", "profile endpoint_url last");
    cr_assert_eq(aws_config_endpoint(c, AWS_SAGEMAKER, &ep, NULL), 0);
    cr_assert(ep.custom);
    cr_assert_str_eq(ep.host, "services-sm:2");
    cr_assert_str_eq(ep.signing_name, "sagemaker", "signing name unchanged by an override");
    cr_assert_str_eq(ep.signing_region, "eu-west-1");
    aws_config_free(c);

    setenv("AWS_ENDPOINT_URL", "http://global:4", 1);
    c = load(NULL, NULL, NULL);
    cr_assert_str_eq(endpoint(c, AWS_SAGEMAKER), "http://global:4");
    cr_assert_str_eq(endpoint(c, AWS_S3), "http://global:4");
    aws_config_free(c);

    setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://env-sm:5", 1);
    setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://env-logs:6", 1);
    setenv("AWS_ENDPOINT_URL_S3", "http://env-s3:7", 1);
    setenv("AWS_ENDPOINT_URL_STS", "http://env-sts:8", 1);
    c = load(NULL, NULL, NULL);
    cr_assert_str_eq(endpoint(c, AWS_SAGEMAKER), "http://env-sm:5");
    cr_assert_str_eq(endpoint(c, AWS_LOGS), "http://env-logs:6");
    cr_assert_str_eq(endpoint(c, AWS_S3), "http://env-s3:7");
    cr_assert_str_eq(endpoint(c, AWS_STS), "http://env-sts:8");
    cr_assert_str_eq(endpoint(c, AWS_SSO), "http://global:4");
    aws_config_free(c);

    c = load(NULL, NULL, "http://127.0.0.1:4566/");
    cr_assert_str_eq(endpoint(c, AWS_SAGEMAKER), "http://127.0.0.1:4566", "--endpoint-url wins");
    cr_assert_str_eq(endpoint(c, AWS_STS), "http://127.0.0.1:4566");
    aws_config_free(c);
}

Test(config, ignore_configured_endpoint_urls)
{
    struct aws_config *c;

    write_file(cfg_path, "[default]\nregion = eu-west-1\nendpoint_url = http://profile:1\n"
                         "[profile ign]\nregion = eu-west-1\nendpoint_url = http://profile:1\n"
                         "ignore_configured_endpoint_urls = true\n");
    setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://env-sm:5", 1);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    c = load(NULL, NULL, NULL);
    cr_assert_str_eq(endpoint(c, AWS_SAGEMAKER), "https://api.sagemaker.eu-west-1.amazonaws.com");
    cr_assert_str_eq(endpoint(c, AWS_S3), "https://s3.eu-west-1.amazonaws.com");
    aws_config_free(c);
    c = load(NULL, NULL, "http://cli:9");
    cr_assert_str_eq(endpoint(c, AWS_SAGEMAKER), "http://cli:9", "--endpoint-url still wins");
    aws_config_free(c);

    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    c = load("ign", NULL, NULL);
    cr_assert_str_eq(endpoint(c, AWS_LOGS), "https://logs.eu-west-1.amazonaws.com",
                     "profile setting honoured");
    aws_config_free(c);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false", 1);
    c = load("ign", NULL, NULL);
    cr_assert_str_eq(endpoint(c, AWS_SAGEMAKER), "http://env-sm:5", "env false beats profile");
    aws_config_free(c);
}

Test(config, endpoint_url_shapes)
{
    struct aws_config *c;
    struct aws_endpoint ep;
    struct err e = {0};

    setenv("AWS_ENDPOINT_URL_S3", "https://s3.example.com:443/base//", 1);
    setenv("AWS_ENDPOINT_URL_STS", "ftp://x", 1);
    setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://user@evil:1", 1);
    setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://h:1/?q=1", 1);
    c = load(NULL, "us-east-1", NULL);
    cr_assert_eq(aws_config_endpoint(c, AWS_S3, &ep, &e), 0);
    cr_assert_str_eq(ep.url, "https://s3.example.com:443/base");
    cr_assert_str_eq(ep.host, "s3.example.com", "default port dropped from Host");
    cr_assert_eq(aws_config_endpoint(c, AWS_STS, &ep, &e), ERR_CONFIG);
    cr_assert(strstr(e.msg, "AWS_ENDPOINT_URL_STS") != NULL, "%s", e.msg);
    cr_assert_eq(aws_config_endpoint(c, AWS_SAGEMAKER, &ep, &e), ERR_CONFIG);
    cr_assert_eq(aws_config_endpoint(c, AWS_LOGS, &ep, &e), ERR_CONFIG);
    aws_config_free(c);
}

/* ---- retries and TLS ------------------------------------------------------------------------ */

Test(config, max_attempts_and_ca_bundle)
{
    struct aws_config *c;
    struct err e = {0};

    c = load(NULL, "us-east-1", NULL);
    cr_assert_eq(aws_config_max_attempts(c), 3);
    cr_assert_null(aws_config_ca_bundle(c));
    aws_config_free(c);
    write_file(cfg_path, "[default]\nmax_attempts = 7\nca_bundle = /etc/prof.pem\n");
    c = load(NULL, "us-east-1", NULL);
    cr_assert_eq(aws_config_max_attempts(c), 7);
    cr_assert_str_eq(aws_config_ca_bundle(c), "/etc/prof.pem");
    aws_config_free(c);
    setenv("AWS_MAX_ATTEMPTS", "5", 1);
    setenv("AWS_CA_BUNDLE", "/etc/env.pem", 1);
    c = load(NULL, "us-east-1", NULL);
    cr_assert_eq(aws_config_max_attempts(c), 5);
    cr_assert_str_eq(aws_config_ca_bundle(c), "/etc/env.pem");
    aws_config_free(c);
    setenv("AWS_MAX_ATTEMPTS", "lots", 1);
    cr_assert_eq(load_fails(NULL, "us-east-1", &e), ERR_CONFIG);
    cr_assert(strstr(e.msg, "AWS_MAX_ATTEMPTS") != NULL);
}

Test(config, service_names)
{
    cr_assert_str_eq(aws_service_name(AWS_SAGEMAKER), "SageMaker");
    cr_assert_str_eq(aws_service_name(AWS_LOGS), "CloudWatch Logs");
    cr_assert_str_eq(aws_service_name(AWS_STS), "STS");
}

/* ---- profile and region lists (the UI's pickers) -------------------------------------------- */

Test(config, list_profiles_from_both_files_without_duplicates)
{
    char out[8][128];
    size_t n;

    write_file(cfg_path, "[default]\nregion = eu-west-1\n[profile dev]\n[sso-session corp]\n"
                         "[services x]\n  [profile  spaced]\n");
    write_file(cred_path, "[dev]\naws_access_key_id = A\n[ci]\n");
    n = aws_config_list_profiles(out, 8);
    cr_assert_eq(n, 4);
    cr_assert_str_eq(out[0], "default");
    cr_assert_str_eq(out[1], "dev");
    cr_assert_str_eq(out[2], "spaced");
    cr_assert_str_eq(out[3], "ci", "credentials sections are profiles; dev is not repeated");
    cr_assert_eq(aws_config_list_profiles(out, 2), 2, "at most max");
}

Test(config, list_profiles_says_default_when_there_are_none)
{
    char out[4][128];

    cr_assert_eq(aws_config_list_profiles(out, 4), 1);
    cr_assert_str_eq(out[0], "default");
}

Test(config, region_list_is_terminated_and_has_the_usual_ones)
{
    size_t i;
    bool east = false, frankfurt = false;

    for (i = 0; aws_config_regions[i]; i++) {
        east |= strcmp(aws_config_regions[i], "us-east-1") == 0;
        frankfurt |= strcmp(aws_config_regions[i], "eu-central-1") == 0;
    }
    cr_assert_gt(i, 20);
    cr_assert(east && frankfurt);
}

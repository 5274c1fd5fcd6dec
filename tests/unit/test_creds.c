/* test_creds.c: every source of the credential chain, its order, refresh and errors. The network
 * sources (IMDS, container, SSO portal, STS) are served by the loopback HTTP server. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/creds.h"
#include "aws/creds_internal.h"
#include "aws/sts.h"
#include "support/aws_env.h"
#include "support/loopback_http.h"

extern char **environ;

static char tmpdir[256];
static char cfg_path[300];
static char cred_path[300];
static struct loopback_http *srv;

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
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/sagetop-creds-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    setenv("HOME", tmpdir, 1);
    snprintf(cfg_path, sizeof(cfg_path), "%s/config", tmpdir);
    snprintf(cred_path, sizeof(cred_path), "%s/credentials", tmpdir);
    setenv("AWS_CONFIG_FILE", cfg_path, 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    /* a test never reaches a real metadata service */
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    srv = loopback_http_start();
    cr_assert_not_null(srv);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

/* The temp dir goes without a shell and rm: two execs of their own cost more than the test. */
static void teardown(void)
{
    loopback_http_stop(srv);
    if (nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "cleanup of %s failed\n", tmpdir);
}

TestSuite(creds, .init = setup, .fini = teardown);

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static char *tmp_path(const char *name)
{
    static char p[8][400];
    static int i;
    char *out = p[i++ % 8];

    snprintf(out, 400, "%s/%s", tmpdir, name);
    return out;
}


/* Resolves and expects success: returns the copy (static storage). */
static struct aws_creds *get_ok(const char *profile)
{
    static struct aws_creds c;
    struct aws_env_chain f = aws_env_chain_open(profile);
    struct err e = {0};

    cr_assert_eq(aws_creds_provider_get(f.p, &c, &e), 0, "get: %s", e.msg);
    aws_env_chain_close(&f);
    return &c;
}


static void assert_msg(const struct err *e, const char *needle)
{
    cr_assert(strstr(e->msg, needle) != NULL, "message '%s' lacks '%s'", e->msg, needle);
}

/* ---- pure pieces ---------------------------------------------------------------------------- */

Test(creds_pure, parse_time)
{
    time_t t;

    cr_assert_eq(creds_parse_time("2030-01-01T00:00:00Z", &t), 0);
    cr_assert_eq(t, 1893456000);
    cr_assert_eq(creds_parse_time("2030-01-01T00:00:00.123Z", &t), 0);
    cr_assert_eq(t, 1893456000);
    cr_assert_eq(creds_parse_time("2030-01-01T02:00:00+02:00", &t), 0);
    cr_assert_eq(t, 1893456000);
    cr_assert_eq(creds_parse_time("2029-12-31T23:00:00-01:00", &t), 0);
    cr_assert_eq(t, 1893456000);
    cr_assert_eq(creds_parse_time("2030-01-01T00:00:00UTC", &t), 0);
    cr_assert_eq(t, 1893456000);
    cr_assert_eq(creds_parse_time("2030-01-01", &t), ERR_PARSE);
    cr_assert_eq(creds_parse_time("2030-13-01T00:00:00Z", &t), ERR_PARSE);
    cr_assert_eq(creds_parse_time("2030-01-01T00:00:00", &t), ERR_PARSE);
    cr_assert_eq(creds_parse_time("2030-01-01T00:00:00Zjunk", &t), ERR_PARSE);
}

static void split_is(const char *cmd, int n, const char *const *want)
{
    char **argv = NULL;
    struct err e = {0};
    int i;

    cr_assert_eq(creds_shell_split(cmd, &argv, &e), 0, "%s: %s", cmd, e.msg);
    for (i = 0; i < n; i++) {
        cr_assert_not_null(argv[i], "%s: only %d words", cmd, i);
        cr_assert_str_eq(argv[i], want[i]);
    }
    cr_assert_null(argv[n], "%s: more than %d words", cmd, n);
    creds_argv_free(argv);
}

Test(creds_pure, shell_split)
{
    char **argv;
    struct err e = {0};

    split_is("aws-vault exec  dev --json", 4,
             (const char *const[]){"aws-vault", "exec", "dev", "--json"});
    split_is("/bin/x 'a b' \"c \\\"d\\\" $e\" f\\ g", 4,
             (const char *const[]){"/bin/x", "a b", "c \"d\" $e", "f g"});
    split_is("  one'two'\"three\"  ", 1, (const char *const[]){"onetwothree"});
    split_is("x '' y", 3, (const char *const[]){"x", "", "y"});
    cr_assert_eq(creds_shell_split("x 'open", &argv, &e), ERR_CONFIG);
    assert_msg(&e, "unterminated");
    cr_assert_eq(creds_shell_split("x \"open", &argv, &e), ERR_CONFIG);
    cr_assert_eq(creds_shell_split("   ", &argv, &e), ERR_CONFIG);
}

Test(creds_pure, process_output_parsing)
{
    struct aws_creds c;
    struct err e = {0};
    const char *ok = "{\"Version\":1,\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"S3CRET\","
                     "\"SessionToken\":\"TOK\",\"Expiration\":\"2099-01-01T00:00:00Z\"}";
    const char *v2 = "{\"Version\":2,\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"S3CRET\"}";
    const char *nosecret = "{\"Version\":1,\"AccessKeyId\":\"AKID\"}";

    cr_assert_eq(creds_parse_process_output(ok, strlen(ok), "p", &c, &e), 0, "%s", e.msg);
    cr_assert_str_eq(c.access_key_id, "AKID");
    cr_assert_str_eq(c.secret_access_key, "S3CRET");
    cr_assert_str_eq(c.session_token, "TOK");
    cr_assert_eq(c.expiration, 4070908800);
    cr_assert_str_eq(c.source, "process");
    cr_assert_eq(creds_parse_process_output(v2, strlen(v2), "p", &c, &e), ERR_AUTH);
    assert_msg(&e, "Version");
    cr_assert_eq(creds_parse_process_output(nosecret, strlen(nosecret), "p", &c, &e), ERR_AUTH);
    cr_assert_eq(creds_parse_process_output("nope", 4, "p", &c, &e), ERR_AUTH);
    cr_assert(strstr(e.msg, "S3CRET") == NULL);
}

Test(creds_pure, sso_cache_path_is_sha1_of_session_or_url)
{
    char p[512];

    /* hex digests computed with Python's hashlib.sha1, as botocore's SSOTokenLoader does */
    cr_assert_eq(creds_sso_cache_path("/h", "my-sso", "https://corp.awsapps.com/start", p,
                                      sizeof(p)), 0);
    cr_assert_str_eq(p, "/h/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json");
    cr_assert_eq(creds_sso_cache_path("/h", NULL, "https://corp.awsapps.com/start", p,
                                      sizeof(p)), 0);
    cr_assert_str_eq(p, "/h/.aws/sso/cache/a51746d4aa793ae07b25e90c3a5db96fc7832bd7.json");
}

Test(creds, container_url_rules)
{
    char url[512];
    struct err e = {0};

    cr_assert_eq(creds_container_url(url, sizeof(url), &e), ERR_NOTFOUND);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://evil.example.com/creds", 1);
    cr_assert_eq(creds_container_url(url, sizeof(url), &e), ERR_CONFIG);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1.evil.com/creds", 1);
    cr_assert_eq(creds_container_url(url, sizeof(url), &e), ERR_CONFIG);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials", 1);
    cr_assert_eq(creds_container_url(url, sizeof(url), &e), 0);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://creds.example.com/x", 1);
    cr_assert_eq(creds_container_url(url, sizeof(url), &e), 0);
    cr_assert_str_eq(url, "https://creds.example.com/x");
    setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc", 1);
    cr_assert_eq(creds_container_url(url, sizeof(url), &e), 0);
    cr_assert_str_eq(url, "http://169.254.170.2/v2/credentials/abc", "RELATIVE_URI wins");
}

/* ---- environment and static keys ------------------------------------------------------------ */

Test(creds, environment_keys)
{
    struct aws_creds *c;

    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secretenv", 1);
    c = get_ok(NULL);
    cr_assert_str_eq(c->access_key_id, "AKIDENV");
    cr_assert_str_eq(c->secret_access_key, "secretenv");
    cr_assert_str_eq(c->session_token, "");
    cr_assert_eq(c->expiration, 0);
    cr_assert_str_eq(c->source, "env");
    setenv("AWS_SECURITY_TOKEN", "legacy", 1);
    cr_assert_str_eq(get_ok(NULL)->session_token, "legacy");
    setenv("AWS_SESSION_TOKEN", "tok", 1);
    setenv("AWS_CREDENTIAL_EXPIRATION", "2099-01-01T00:00:00Z", 1);
    c = get_ok(NULL);
    cr_assert_str_eq(c->session_token, "tok");
    cr_assert_eq(c->expiration, 4070908800);
}

Test(creds, partial_environment_keys)
{
    struct err e = {0};

    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    cr_assert_eq(aws_env_get_err(NULL, &e), ERR_AUTH);
    assert_msg(&e, "AWS_SECRET_ACCESS_KEY is not");
}

Test(creds, explicit_profile_skips_environment_but_aws_profile_does_not)
{
    write_file(cred_path, "[dev]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secretenv", 1);
    cr_assert_str_eq(get_ok("dev")->access_key_id, "AKIDFILE");
    setenv("AWS_PROFILE", "dev", 1);
    cr_assert_str_eq(get_ok(NULL)->access_key_id, "AKIDENV");
}

Test(creds, static_keys_from_both_files)
{
    struct aws_creds *c;

    write_file(cred_path, "[default]\naws_access_key_id = AKIDC\naws_secret_access_key = sc\n"
                          "aws_session_token = tc\n");
    write_file(cfg_path, "[profile cfgonly]\naws_access_key_id = AKIDF\n"
                         "aws_secret_access_key = sf\n");
    c = get_ok(NULL);
    cr_assert_str_eq(c->access_key_id, "AKIDC");
    cr_assert_str_eq(c->session_token, "tc");
    cr_assert_str_eq(c->source, "shared-credentials-file");
    c = get_ok("cfgonly");
    cr_assert_str_eq(c->access_key_id, "AKIDF");
    cr_assert_str_eq(c->source, "config-file");
}

Test(creds, key_id_without_secret_in_file)
{
    struct err e = {0};

    write_file(cred_path, "[default]\naws_access_key_id = AKIDC\n");
    cr_assert_eq(aws_env_get_err(NULL, &e), ERR_AUTH);
    assert_msg(&e, "no aws_secret_access_key");
}

Test(creds, nothing_anywhere)
{
    struct err e = {0};

    write_file(cfg_path, "[profile empty]\nregion = eu-west-1\n");
    cr_assert_eq(aws_env_get_err(NULL, &e), ERR_AUTH);
    cr_assert_str_eq(e.msg, "no AWS credentials found: set AWS_ACCESS_KEY_ID/"
                            "AWS_SECRET_ACCESS_KEY, configure a profile (aws configure), or run "
                            "'aws sso login'");
    cr_assert_eq(aws_env_get_err("empty", &e), ERR_AUTH);
    assert_msg(&e, "no AWS credentials found");
}

/* ---- credential_process --------------------------------------------------------------------- */

/* A script that counts its runs and prints credentials that expire `expires_in` s from now. */
static void write_process_script(const char *name, long expires_in)
{
    char text[2048];
    char stamp[64];
    time_t t = time(NULL) + expires_in;

    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    snprintf(text, sizeof(text),
             "#!/bin/sh\n"
             "read -r n 2>/dev/null < \"%s/count\" || n=0; n=$((n+1)); echo $n > \"%s/count\"\n"
             "printf '{\"Version\": 1, \"AccessKeyId\": \"AKIDP%%s%%s\", \"SecretAccessKey\": "
             "\"sp\", \"SessionToken\": \"tp\", \"Expiration\": \"%s\"}' \"$n\" \"$1\"\n",
             tmpdir, tmpdir, stamp);
    write_file(tmp_path(name), text);
    chmod(tmp_path(name), 0755);
}

Test(creds, credential_process_runs_without_a_shell)
{
    char conf[1024];
    struct aws_creds *c;

    write_process_script("my proc.sh", 3600);
    snprintf(conf, sizeof(conf), "[profile p]\ncredential_process = \"%s/my proc.sh\" 'x y'\n",
             tmpdir);
    write_file(cfg_path, conf);
    c = get_ok("p");
    cr_assert_str_eq(c->access_key_id, "AKIDP1x y", "quoted argument passed as one word");
    cr_assert_str_eq(c->session_token, "tp");
    cr_assert_str_eq(c->source, "process");
    cr_assert(c->expiration > time(NULL) + 3500);
}

Test(creds, credential_process_failure_shows_stderr)
{
    char conf[1024];
    struct err e = {0};

    write_file(tmp_path("fail.sh"), "#!/bin/sh\necho 'token expired, run login' >&2\nexit 3\n");
    chmod(tmp_path("fail.sh"), 0755);
    snprintf(conf, sizeof(conf), "[profile p]\ncredential_process = %s/fail.sh\n", tmpdir);
    write_file(cfg_path, conf);
    cr_assert_eq(aws_env_get_err("p", &e), ERR_AUTH);
    assert_msg(&e, "exited with status 3: token expired, run login");
    write_file(cfg_path, "[profile p]\ncredential_process = /nonexistent/helper --x\n");
    cr_assert_neq(aws_env_get_err("p", &e), 0);
    assert_msg(&e, "cannot run '/nonexistent/helper'");
}

Test(creds, credential_process_refreshes_before_expiration)
{
    char conf[1024];
    struct aws_creds c;
    struct aws_env_chain f;

    write_process_script("soon.sh", 120);   /* inside the 5 minute window */
    snprintf(conf, sizeof(conf), "[profile p]\ncredential_process = %s/soon.sh\n", tmpdir);
    write_file(cfg_path, conf);
    f = aws_env_chain_open("p");
    cr_assert_eq(aws_creds_provider_get(f.p, &c, NULL), 0);
    cr_assert_str_eq(c.access_key_id, "AKIDP1");
    cr_assert_eq(aws_creds_provider_get(f.p, &c, NULL), 0);
    cr_assert_str_eq(c.access_key_id, "AKIDP2", "expiring credentials are refreshed");
    aws_env_chain_close(&f);

    write_process_script("later.sh", 3600);
    snprintf(conf, sizeof(conf), "[profile p]\ncredential_process = %s/later.sh\n", tmpdir);
    write_file(cfg_path, conf);
    f = aws_env_chain_open("p");
    cr_assert_eq(aws_creds_provider_get(f.p, &c, NULL), 0);
    cr_assert_str_eq(c.access_key_id, "AKIDP3");
    cr_assert_eq(aws_creds_provider_get(f.p, &c, NULL), 0);
    cr_assert_str_eq(c.access_key_id, "AKIDP3", "fresh credentials are cached");
    aws_creds_provider_invalidate(f.p);
    cr_assert_eq(aws_creds_provider_get(f.p, &c, NULL), 0);
    cr_assert_str_eq(c.access_key_id, "AKIDP4", "invalidate forces a refresh");
    aws_creds_clean(&c);
    cr_assert_eq(c.secret_access_key[0], 0);
    aws_env_chain_close(&f);
}

Test(creds, credentials_file_keys_beat_process_which_beats_config_keys)
{
    char conf[1024];

    write_process_script("p.sh", 3600);
    snprintf(conf, sizeof(conf), "[profile p]\ncredential_process = %s/p.sh\n"
                                 "aws_access_key_id = AKIDCONFIG\naws_secret_access_key = s\n",
             tmpdir);
    write_file(cfg_path, conf);
    cr_assert_str_eq(get_ok("p")->source, "process");
    write_file(cred_path, "[p]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = s\n");
    cr_assert_str_eq(get_ok("p")->access_key_id, "AKIDCREDS");
}

struct thread_arg {
    struct aws_creds_provider *p;
    int failures;
};

static void *hammer(void *arg)
{
    struct thread_arg *t = arg;
    struct aws_creds c;
    int i;

    for (i = 0; i < 20; i++)
        if (aws_creds_provider_get(t->p, &c, NULL) != 0 || strncmp(c.access_key_id, "AKIDP", 5))
            t->failures++;
    return NULL;
}

Test(creds, provider_is_thread_safe)
{
    char conf[1024];
    pthread_t th[4];
    struct thread_arg args[4];
    struct aws_env_chain f;
    int i;

    write_process_script("t.sh", 120);   /* every get refreshes: maximum contention */
    snprintf(conf, sizeof(conf), "[profile p]\ncredential_process = %s/t.sh\n", tmpdir);
    write_file(cfg_path, conf);
    f = aws_env_chain_open("p");
    for (i = 0; i < 4; i++) {
        args[i].p = f.p;
        args[i].failures = 0;
        pthread_create(&th[i], NULL, hammer, &args[i]);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(args[i].failures, 0);
    }
    aws_env_chain_close(&f);
}

/* ---- container and IMDS --------------------------------------------------------------------- */

static const char meta_creds[] =
    "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAMETA\",\"SecretAccessKey\":\"sm\","
    "\"Token\":\"tm\",\"Expiration\":\"2099-01-01T00:00:00Z\"}";

Test(creds, container_full_uri_with_token)
{
    char url[256], hdr[128];
    struct loopback_request r;
    struct aws_creds *c;

    loopback_http_route(srv, "GET", "/v1/creds", 200, "application/json", meta_creds);
    snprintf(url, sizeof(url), "%s/v1/creds", loopback_http_url(srv));
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer abc", 1);
    c = get_ok(NULL);
    cr_assert_str_eq(c->access_key_id, "ASIAMETA");
    cr_assert_str_eq(c->session_token, "tm");
    cr_assert_str_eq(c->source, "container");
    cr_assert_eq(c->expiration, 4070908800);
    cr_assert_eq(loopback_http_request(srv, 0, &r), 0);
    cr_assert_str_eq(loopback_header(&r, "Authorization", hdr, sizeof(hdr)), "Bearer abc");

    write_file(tmp_path("token"), "from-file\n");
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tmp_path("token"), 1);
    get_ok(NULL);
    cr_assert_eq(loopback_http_request(srv, 1, &r), 0);
    cr_assert_str_eq(loopback_header(&r, "Authorization", hdr, sizeof(hdr)), "from-file");
}

Test(creds, container_error_status)
{
    char url[256];
    struct err e = {0};

    loopback_http_route(srv, "GET", "/v1/creds", 403, "application/json", "{}");
    snprintf(url, sizeof(url), "%s/v1/creds", loopback_http_url(srv));
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    cr_assert_eq(aws_env_get_err(NULL, &e), ERR_AUTH);
    assert_msg(&e, "HTTP 403");
}

static void route_imds(const char *role_creds)
{
    loopback_http_route(srv, "PUT", "/latest/api/token", 200, "text/plain", "IMDSTOKEN");
    loopback_http_route(srv, "GET", "/latest/meta-data/iam/security-credentials/", 200,
                        "text/plain", "my-role\n");
    loopback_http_route(srv, "GET", "/latest/meta-data/iam/security-credentials/my-role", 200,
                        "text/plain", role_creds);
}

Test(creds, imds_v2_token_then_role_then_credentials)
{
    struct loopback_request r;
    struct aws_creds *c;
    char hdr[64];

    route_imds(meta_creds);
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", loopback_http_url(srv), 1);
    c = get_ok(NULL);
    cr_assert_str_eq(c->access_key_id, "ASIAMETA");
    cr_assert_str_eq(c->source, "imds");
    cr_assert_eq(loopback_http_count(srv), 3);
    loopback_http_request(srv, 0, &r);
    cr_assert_str_eq(r.method, "PUT");
    cr_assert_str_eq(loopback_header(&r, "x-aws-ec2-metadata-token-ttl-seconds", hdr,
                                     sizeof(hdr)), "21600");
    loopback_http_request(srv, 2, &r);
    cr_assert_str_eq(r.target, "/latest/meta-data/iam/security-credentials/my-role");
    cr_assert_str_eq(loopback_header(&r, "x-aws-ec2-metadata-token", hdr, sizeof(hdr)),
                     "IMDSTOKEN");
}

Test(creds, imds_disabled_or_unreachable_means_no_credentials)
{
    struct err e = {0};
    time_t t0;

    route_imds(meta_creds);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", loopback_http_url(srv), 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    cr_assert_eq(aws_env_get_err(NULL, &e), ERR_AUTH);
    assert_msg(&e, "no AWS credentials found");
    cr_assert_eq(loopback_http_count(srv), 0);

    /* a metadata service that never answers costs about a second, not minutes */
    unsetenv("AWS_EC2_METADATA_DISABLED");
    loopback_http_route_delay(srv, "PUT", "/latest/api/token", 5000);
    t0 = time(NULL);
    cr_assert_eq(aws_env_get_err(NULL, &e), ERR_AUTH);
    assert_msg(&e, "no AWS credentials found");
    cr_assert(time(NULL) - t0 <= 3, "IMDS took %lld s", (long long)(time(NULL) - t0));
}

Test(creds, imds_bad_code)
{
    struct err e = {0};

    route_imds("{\"Code\":\"Failed\"}");
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", loopback_http_url(srv), 1);
    cr_assert_eq(aws_env_get_err(NULL, &e), ERR_AUTH);
    assert_msg(&e, "Code Failed");
}

/* ---- SSO ------------------------------------------------------------------------------------ */

static void write_sso_token(const char *key_hex, long expires_in)
{
    char dir[400], path[500], text[512], stamp[64];
    time_t t = time(NULL) + expires_in;

    snprintf(dir, sizeof(dir), "%s/.aws", tmpdir);
    mkdir(dir, 0700);
    snprintf(dir, sizeof(dir), "%s/.aws/sso", tmpdir);
    mkdir(dir, 0700);
    snprintf(dir, sizeof(dir), "%s/.aws/sso/cache", tmpdir);
    mkdir(dir, 0700);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    snprintf(path, sizeof(path), "%s/%s.json", dir, key_hex);
    snprintf(text, sizeof(text), "{\"startUrl\": \"https://corp.awsapps.com/start\", "
                                 "\"region\": \"eu-west-1\", \"accessToken\": \"SSOTOKEN\", "
                                 "\"expiresAt\": \"%s\"}", stamp);
    write_file(path, text);
}

static const char sso_answer[] =
    "{\"roleCredentials\":{\"accessKeyId\":\"ASIASSO\",\"secretAccessKey\":\"ss\","
    "\"sessionToken\":\"ts\",\"expiration\":4070908800000}}";

static void sso_config(void)
{
    write_file(cfg_path, "[profile sso]\nsso_session = my-sso\nsso_account_id = 123456789012\n"
                         "sso_role_name = Data Scientist\nregion = eu-west-1\n"
                         "[sso-session my-sso]\nsso_start_url = https://corp.awsapps.com/start\n"
                         "sso_region = eu-west-1\n"
                         "[profile legacy]\nsso_start_url = https://corp.awsapps.com/start\n"
                         "sso_region = eu-west-1\nsso_account_id = 210987654321\n"
                         "sso_role_name = ReadOnly\n");
    setenv("AWS_ENDPOINT_URL_SSO", loopback_http_url(srv), 1);
    loopback_http_route(srv, "GET", "/federation/credentials", 200, "application/json",
                        sso_answer);
}

Test(creds, sso_session_with_fresh_cached_token)
{
    struct loopback_request r;
    struct aws_creds *c;
    char hdr[64];

    sso_config();
    write_sso_token("0ad374308c5a4e22f723adf10145eafad7c4031c", 3600);
    c = get_ok("sso");
    cr_assert_str_eq(c->access_key_id, "ASIASSO");
    cr_assert_str_eq(c->session_token, "ts");
    cr_assert_str_eq(c->source, "sso");
    cr_assert_eq(c->expiration, 4070908800);
    cr_assert_eq(loopback_http_request(srv, 0, &r), 0);
    cr_assert_str_eq(r.method, "GET");
    cr_assert_str_eq(r.target, "/federation/credentials?role_name=Data%20Scientist"
                               "&account_id=123456789012");
    cr_assert_str_eq(loopback_header(&r, "x-amz-sso_bearer_token", hdr, sizeof(hdr)),
                     "SSOTOKEN");
}

Test(creds, sso_legacy_profile_keyed_by_start_url)
{
    struct loopback_request r;

    sso_config();
    write_sso_token("a51746d4aa793ae07b25e90c3a5db96fc7832bd7", 3600);
    cr_assert_str_eq(get_ok("legacy")->access_key_id, "ASIASSO");
    loopback_http_request(srv, 0, &r);
    cr_assert_str_eq(r.target, "/federation/credentials?role_name=ReadOnly"
                               "&account_id=210987654321");
}

Test(creds, sso_expired_or_missing_token_names_the_login_command)
{
    struct err e = {0};
    const char *want = "the SSO session for profile sso has expired or is missing: run "
                       "'aws sso login --profile sso'";

    sso_config();
    cr_assert_eq(aws_env_get_err("sso", &e), ERR_AUTH);
    cr_assert_str_eq(e.msg, want);
    write_sso_token("0ad374308c5a4e22f723adf10145eafad7c4031c", -60);
    cr_assert_eq(aws_env_get_err("sso", &e), ERR_AUTH);
    cr_assert_str_eq(e.msg, want);
    cr_assert_eq(loopback_http_count(srv), 0, "no portal call with an expired token");
}

Test(creds, sso_portal_rejects_token)
{
    struct err e = {0};

    sso_config();
    write_sso_token("0ad374308c5a4e22f723adf10145eafad7c4031c", 3600);
    loopback_http_route(srv, "GET", "/federation/credentials", 401, "application/json",
                        "{\"message\":\"Session token not found or invalid\"}");
    cr_assert_eq(aws_env_get_err("sso", &e), ERR_AUTH);
    assert_msg(&e, "aws sso login --profile sso");
    cr_assert(strstr(e.msg, "SSOTOKEN") == NULL);
}

/* ---- assume role ---------------------------------------------------------------------------- */

static const char assume_answer_a[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
    "<Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>sr</SecretAccessKey>"
    "<SessionToken>tr</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
    "</AssumeRoleResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>"
    "</AssumeRoleResponse>";

static void sts_route(void)
{
    setenv("AWS_ENDPOINT_URL_STS", loopback_http_url(srv), 1);
    loopback_http_route(srv, "POST", "/", 200, "text/xml", assume_answer_a);
}

Test(creds, assume_role_from_source_profile)
{
    struct loopback_request r;
    struct aws_creds *c;
    char hdr[512];

    sts_route();
    write_file(cred_path, "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = sb\n");
    write_file(cfg_path, "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/Trainer\n"
                         "source_profile = base\nexternal_id = ext-42\nduration_seconds = 1800\n"
                         "role_session_name = me@corp\n");
    c = get_ok("role");
    cr_assert_str_eq(c->access_key_id, "ASIAROLE");
    cr_assert_str_eq(c->session_token, "tr");
    cr_assert_str_eq(c->source, "assume-role");
    cr_assert_eq(c->expiration, 4070908800);
    cr_assert_eq(loopback_http_count(srv), 1);
    loopback_http_request(srv, 0, &r);
    cr_assert_str_eq(r.body, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A"
                             "123456789012%3Arole%2FTrainer&RoleSessionName=me%40corp"
                             "&ExternalId=ext-42&DurationSeconds=1800");
    cr_assert_not_null(loopback_header(&r, "Authorization", hdr, sizeof(hdr)));
    cr_assert(strstr(hdr, "Credential=AKIDBASE/") != NULL, "signed with the source: %s", hdr);
    cr_assert(strstr(hdr, "/sts/aws4_request") != NULL, "%s", hdr);
}

Test(creds, assume_role_default_session_name_and_cache)
{
    struct loopback_request r;
    struct aws_creds c;
    struct aws_env_chain f;

    sts_route();
    write_file(cred_path, "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = sb\n");
    write_file(cfg_path, "[profile role]\nrole_arn = arn:aws:iam::1:role/R\n"
                         "source_profile = base\n");
    f = aws_env_chain_open("role");
    cr_assert_eq(aws_creds_provider_get(f.p, &c, NULL), 0);
    cr_assert_eq(aws_creds_provider_get(f.p, &c, NULL), 0);
    cr_assert_eq(loopback_http_count(srv), 1, "cached until expiry");
    loopback_http_request(srv, 0, &r);
    cr_assert(strstr(r.body, "&RoleSessionName=sagetop-1") != NULL, "%s", r.body);
    cr_assert(strstr(r.body, "ExternalId") == NULL);
    aws_env_chain_close(&f);
}

Test(creds, chained_roles)
{
    struct loopback_request r;
    char hdr[512];

    sts_route();
    write_file(cred_path, "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = sb\n");
    write_file(cfg_path, "[profile first]\nrole_arn = arn:aws:iam::1:role/First\n"
                         "source_profile = base\n"
                         "[profile second]\nrole_arn = arn:aws:iam::2:role/Second\n"
                         "source_profile = first\n");
    cr_assert_str_eq(get_ok("second")->access_key_id, "ASIAROLE");
    cr_assert_eq(loopback_http_count(srv), 2);
    loopback_http_request(srv, 0, &r);
    cr_assert(strstr(r.body, "role%2FFirst") != NULL, "%s", r.body);
    loopback_header(&r, "Authorization", hdr, sizeof(hdr));
    cr_assert(strstr(hdr, "Credential=AKIDBASE/") != NULL);
    loopback_http_request(srv, 1, &r);
    cr_assert(strstr(r.body, "role%2FSecond") != NULL, "%s", r.body);
    loopback_header(&r, "Authorization", hdr, sizeof(hdr));
    cr_assert(strstr(hdr, "Credential=ASIAROLE/") != NULL, "second hop signed by the first");
    cr_assert_not_null(loopback_header(&r, "X-Amz-Security-Token", hdr, sizeof(hdr)));
    cr_assert_str_eq(hdr, "tr");
}

Test(creds, role_loop_detected)
{
    struct err e = {0};

    sts_route();
    write_file(cfg_path, "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n"
                         "[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n");
    cr_assert_eq(aws_env_get_err("a", &e), ERR_CONFIG);
    assert_msg(&e, "source_profile loop: a -> b -> a");
    cr_assert_eq(loopback_http_count(srv), 0);
}

Test(creds, role_self_source_uses_static_keys)
{
    struct loopback_request r;
    char hdr[512];

    sts_route();
    write_file(cfg_path, "[profile me]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = me\n"
                         "aws_access_key_id = AKIDSELF\naws_secret_access_key = s\n");
    cr_assert_str_eq(get_ok("me")->access_key_id, "ASIAROLE");
    loopback_http_request(srv, 0, &r);
    loopback_header(&r, "Authorization", hdr, sizeof(hdr));
    cr_assert(strstr(hdr, "Credential=AKIDSELF/") != NULL);
}

Test(creds, role_with_credential_source_environment)
{
    struct loopback_request r;
    char hdr[512];
    struct err e = {0};

    sts_route();
    write_file(cfg_path, "[profile r]\nrole_arn = arn:aws:iam::1:role/A\n"
                         "credential_source = Environment\n"
                         "[profile bad]\nrole_arn = arn:aws:iam::1:role/A\n"
                         "credential_source = Somewhere\n"
                         "[profile both]\nrole_arn = arn:aws:iam::1:role/A\n"
                         "credential_source = Environment\nsource_profile = r\n");
    setenv("AWS_ACCESS_KEY_ID", "AKIDENVSRC", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
    cr_assert_str_eq(get_ok("r")->access_key_id, "ASIAROLE");
    loopback_http_request(srv, 0, &r);
    loopback_header(&r, "Authorization", hdr, sizeof(hdr));
    cr_assert(strstr(hdr, "Credential=AKIDENVSRC/") != NULL);
    cr_assert_eq(aws_env_get_err("bad", &e), ERR_CONFIG);
    assert_msg(&e, "credential_source 'Somewhere'");
    cr_assert_eq(aws_env_get_err("both", &e), ERR_CONFIG);
    assert_msg(&e, "both source_profile and credential_source");
}

Test(creds, role_refused_by_sts)
{
    struct err e = {0};

    setenv("AWS_ENDPOINT_URL_STS", loopback_http_url(srv), 1);
    setenv("AWS_MAX_ATTEMPTS", "1", 1);
    loopback_http_route(srv, "POST", "/", 403, "text/xml",
                        "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                        "<Message>not authorized to perform sts:AssumeRole</Message></Error>"
                        "<RequestId>x</RequestId></ErrorResponse>");
    write_file(cred_path, "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = "
                          "SUPERSECRET\n");
    write_file(cfg_path, "[profile role]\nrole_arn = arn:aws:iam::1:role/R\n"
                         "source_profile = base\n");
    cr_assert_eq(aws_env_get_err("role", &e), ERR_AUTH, "%s", e.msg);
    assert_msg(&e, "assuming arn:aws:iam::1:role/R for profile role");
    assert_msg(&e, "AccessDenied");
    cr_assert(strstr(e.msg, "SUPERSECRET") == NULL);
}

Test(creds, role_bad_duration)
{
    struct err e = {0};

    write_file(cfg_path, "[profile r]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = r\n"
                         "duration_seconds = 60\n");
    cr_assert_eq(aws_env_get_err("r", &e), ERR_CONFIG);
    assert_msg(&e, "duration_seconds");
}

/* ---- STS pure halves ------------------------------------------------------------------------ */

Test(sts, assume_role_body_and_parse)
{
    struct sts_assume_role_params p = {.role_arn = "arn:aws:iam::1:role/A b",
                                       .session_name = "s~._-"};
    char body[512];
    struct aws_creds c;
    struct sts_identity id;
    const char *ident = "<GetCallerIdentityResponse><GetCallerIdentityResult>"
                        "<Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDA1</UserId>"
                        "<Account>123456789012</Account></GetCallerIdentityResult>"
                        "</GetCallerIdentityResponse>";

    cr_assert_eq(sts_assume_role_body(&p, body, sizeof(body), NULL), 0);
    cr_assert_str_eq(body, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1"
                           "%3Arole%2FA%20b&RoleSessionName=s~._-");
    cr_assert_eq(sts_assume_role_body(&p, body, 20, NULL), ERR_TOOBIG);
    p.role_arn = NULL;
    cr_assert_eq(sts_assume_role_body(&p, body, sizeof(body), NULL), ERR_INVAL);
    cr_assert_eq(sts_parse_assume_role(assume_answer_a, strlen(assume_answer_a), &c, NULL), 0);
    cr_assert_str_eq(c.secret_access_key, "sr");
    cr_assert_eq(sts_parse_assume_role(ident, strlen(ident), &c, NULL), ERR_PARSE);
    cr_assert_eq(sts_parse_caller_identity(ident, strlen(ident), &id, NULL), 0);
    cr_assert_str_eq(id.account, "123456789012");
    cr_assert_str_eq(id.arn, "arn:aws:iam::123456789012:user/alice");
    cr_assert_str_eq(id.user_id, "AIDA1");
}

Test(creds, sts_get_caller_identity_over_the_client)
{
    struct aws_creds src = {.access_key_id = "AKIDWHO", .secret_access_key = "s"};
    struct loopback_request r;
    struct aws_creds_provider *p;
    struct aws_client *client;
    struct sts_identity id;
    struct aws_config *cfg;
    struct err e = {0};
    char hdr[256];

    setenv("AWS_ENDPOINT_URL_STS", loopback_http_url(srv), 1);
    loopback_http_route(srv, "POST", "/", 200, "text/xml",
                        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/"
                        "2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:"
                        "user/bob</Arn><UserId>AIDABOB</UserId><Account>123456789012</Account>"
                        "</GetCallerIdentityResult></GetCallerIdentityResponse>");
    cfg = aws_config_load(NULL, &e);
    cr_assert_not_null(cfg, "%s", e.msg);
    p = aws_creds_provider_new_static(cfg, &src, &e);
    cr_assert_not_null(p);
    aws_creds_provider_invalidate(p);   /* no-op for fixed credentials */
    client = aws_client_new(cfg, p, &e);
    cr_assert_not_null(client, "%s", e.msg);
    cr_assert_eq(sts_get_caller_identity(client, &id, &e), 0, "%s", e.msg);
    cr_assert_str_eq(id.account, "123456789012");
    cr_assert_str_eq(id.arn, "arn:aws:iam::123456789012:user/bob");
    cr_assert_str_eq(id.user_id, "AIDABOB");
    loopback_http_request(srv, 0, &r);
    cr_assert_str_eq(r.body, "Action=GetCallerIdentity&Version=2011-06-15");
    cr_assert_str_eq(loopback_header(&r, "Content-Type", hdr, sizeof(hdr)),
                     "application/x-www-form-urlencoded; charset=utf-8");
    loopback_header(&r, "Authorization", hdr, sizeof(hdr));
    cr_assert(strstr(hdr, "Credential=AKIDWHO/") != NULL, "%s", hdr);
    aws_client_free(client);
    aws_creds_provider_free(p);
    aws_config_free(cfg);
}

Test(creds, imds_v1_fallback_when_token_endpoint_is_missing)
{
    struct loopback_request r;
    char hdr[64];

    route_imds(meta_creds);
    loopback_http_route(srv, "PUT", "/latest/api/token", 404, "text/plain", "");
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", loopback_http_url(srv), 1);
    cr_assert_str_eq(get_ok(NULL)->source, "imds");
    loopback_http_request(srv, 2, &r);
    cr_assert_null(loopback_header(&r, "x-aws-ec2-metadata-token", hdr, sizeof(hdr)));
}

Test(creds, imds_as_role_credential_source)
{
    struct loopback_request r;
    char hdr[512];

    route_imds(meta_creds);
    sts_route();
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", loopback_http_url(srv), 1);
    write_file(cfg_path, "[profile r]\nrole_arn = arn:aws:iam::1:role/A\n"
                         "credential_source = Ec2InstanceMetadata\n");
    cr_assert_str_eq(get_ok("r")->access_key_id, "ASIAROLE");
    cr_assert_eq(loopback_http_count(srv), 4);
    loopback_http_request(srv, 3, &r);
    cr_assert_str_eq(r.method, "POST");
    loopback_header(&r, "Authorization", hdr, sizeof(hdr));
    cr_assert(strstr(hdr, "Credential=ASIAMETA/") != NULL, "%s", hdr);
}

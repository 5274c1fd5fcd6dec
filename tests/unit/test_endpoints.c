/* test_endpoints.c: the default hostname of every service sagetop calls, in every partition,
 * as botocore 1.43 resolves it (its endpoint rulesets over partitions.json; the expected URLs
 * were printed by botocore itself), and S3's legacy global endpoint in us-east-1. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/config.h"
#include "support/aws_env.h"

static void setup(void)
{
    aws_env_clear();
    setenv("AWS_CONFIG_FILE", "/nonexistent/sagetop-endpoints/config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/sagetop-endpoints/credentials", 1);
}

TestSuite(endpoints, .init = setup);

static struct aws_config *load(const char *region)
{
    struct aws_options o = {.region = region};
    struct err e = {0};
    struct aws_config *c = aws_config_load(&o, &e);

    cr_assert_not_null(c, "%s", e.msg);
    return c;
}

static void expect(const char *region, enum aws_service svc, const char *url,
                   const char *signing_region)
{
    struct aws_config *c = load(region);
    struct aws_endpoint ep;
    struct err e = {0};

    cr_assert_eq(aws_config_endpoint(c, svc, &ep, &e), 0, "%s", e.msg);
    cr_expect_str_eq(ep.url, url, "%s %s", region, aws_service_name(svc));
    cr_expect_str_eq(ep.host, url + strlen("https://"));
    cr_expect_str_eq(ep.signing_region, signing_region);
    cr_expect_not(ep.custom);
    aws_config_free(c);
}

/* SageMaker, Logs, STS, SSO, S3 (bucket-less) of one region, each "<prefix>.<region>.<suffix>" */
static void expect_partition(const char *region, const char *suffix)
{
    static const struct {
        enum aws_service svc;
        const char *prefix;
    } svcs[] = {{AWS_SAGEMAKER, "api.sagemaker"}, {AWS_LOGS, "logs"}, {AWS_STS, "sts"},
                {AWS_SSO, "portal.sso"},         {AWS_S3, "s3"},
                {AWS_CLOUDWATCH, "monitoring"}};
    char url[256];

    for (size_t i = 0; i < sizeof(svcs) / sizeof(svcs[0]); i++) {
        snprintf(url, sizeof(url), "https://%s.%s.%s", svcs[i].prefix, region, suffix);
        expect(region, svcs[i].svc, url, region);
    }
}

Test(endpoints, commercial_china_and_govcloud)
{
    expect_partition("eu-west-1", "amazonaws.com");
    expect_partition("ap-southeast-4", "amazonaws.com");
    expect_partition("cn-north-1", "amazonaws.com.cn");
    expect_partition("cn-northwest-1", "amazonaws.com.cn");
    expect_partition("us-gov-west-1", "amazonaws.com");
    expect_partition("us-gov-east-1", "amazonaws.com");
}

Test(endpoints, iso_partitions)
{
    expect_partition("us-iso-east-1", "c2s.ic.gov");
    expect_partition("us-iso-west-1", "c2s.ic.gov");
    expect_partition("us-isob-east-1", "sc2s.sgov.gov");
    expect_partition("us-isof-south-1", "csp.hci.ic.gov");
    expect_partition("eu-isoe-west-1", "cloud.adc-e.uk");
    expect_partition("eusc-de-east-1", "amazonaws.eu");
}

Test(endpoints, s3_us_east_1_is_the_legacy_global_endpoint)
{
    expect("us-east-1", AWS_S3, "https://s3.amazonaws.com", "us-east-1");
    /* only S3: the other services are regional in us-east-1 too */
    expect("us-east-1", AWS_STS, "https://sts.us-east-1.amazonaws.com", "us-east-1");
    expect("us-east-1", AWS_SAGEMAKER, "https://api.sagemaker.us-east-1.amazonaws.com",
           "us-east-1");
    expect("us-east-2", AWS_S3, "https://s3.us-east-2.amazonaws.com", "us-east-2");
}

Test(endpoints, s3_us_east_1_regional_when_asked)
{
    setenv("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "regional", 1);
    expect("us-east-1", AWS_S3, "https://s3.us-east-1.amazonaws.com", "us-east-1");
    setenv("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "Legacy", 1);
    expect("us-east-1", AWS_S3, "https://s3.amazonaws.com", "us-east-1");
}

Test(endpoints, s3_us_east_1_setting_from_the_profile_and_bad_values)
{
    struct aws_options o = {.region = "us-east-1"};
    char path[] = "/tmp/sagetop-endpoints-XXXXXX";
    struct err e = {0};
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");

    cr_assert_not_null(f);
    fputs("[default]\ns3_us_east_1_regional_endpoint = regional\n", f);
    fclose(f);
    setenv("AWS_CONFIG_FILE", path, 1);
    expect("us-east-1", AWS_S3, "https://s3.us-east-1.amazonaws.com", "us-east-1");
    setenv("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "sometimes", 1);
    cr_assert_null(aws_config_load(&o, &e));
    cr_assert_eq(e.code, ERR_CONFIG);
    cr_assert(strstr(e.msg, "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT") != NULL, "%s", e.msg);
    unlink(path);
}

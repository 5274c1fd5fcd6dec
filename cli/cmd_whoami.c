/* cmd_whoami.c: `sagetop whoami`, who AWS thinks we are and where each request goes.
 *
 * Asks STS GetCallerIdentity (proves the credentials and the signing work) and prints the
 * account, ARN and user id with the profile, region, credential source and the endpoint of
 * every service sagetop uses. Never prints a secret: only the source of the credentials and
 * the access key id's last four characters. No curses. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "aws/sts.h"
#include "cli/cli.h"

static const enum aws_service services[] = { AWS_SAGEMAKER, AWS_LOGS, AWS_S3, AWS_STS };

static void whoami_help(FILE *f)
{
    fprintf(f,
        "usage: sagetop whoami [--format text|json]\n"
        "\n"
        "Shows the AWS account, ARN and user id of the credentials in use (STS\n"
        "GetCallerIdentity), the profile, region, credential source, and the endpoint of\n"
        "each service sagetop talks to.\n");
}

int cmd_whoami(const struct globals *g, int argc, char **argv)
{
    struct cli_aws a;
    struct sts_identity id;
    struct aws_creds creds;
    struct aws_endpoint ep[sizeof(services) / sizeof(services[0])];
    struct err e = { 0 };
    char source[sizeof(creds.source)], key_tail[8];
    bool json = false;
    size_t i;
    int rc;

    for (i = 1; i < (size_t)argc; i++) {
        const char *v = NULL;

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            whoami_help(stdout);
            return EXIT_OK;
        }
        if (strncmp(argv[i], "--format=", 9) == 0)
            v = argv[i] + 9;
        else if (strcmp(argv[i], "--format") == 0 && i + 1 < (size_t)argc)
            v = argv[++i];
        else
            return cli_usage_error("whoami", "unexpected argument '%s'", argv[i]);
        if (strcmp(v, "json") == 0)
            json = true;
        else if (strcmp(v, "text") != 0)
            return cli_usage_error("whoami", "--format takes text or json");
    }

    if (cli_aws_open(g, &a, &e) != 0)
        return cli_fail(&e);
    /* the source first: a missing credential is the clearest error there is */
    rc = aws_creds_provider_get(a.creds, &creds, &e);
    if (rc != 0)
        goto fail;
    snprintf(source, sizeof(source), "%s", creds.source);
    i = strlen(creds.access_key_id);
    snprintf(key_tail, sizeof(key_tail), "%s", creds.access_key_id + (i > 4 ? i - 4 : 0));
    aws_creds_clean(&creds);
    for (i = 0; i < sizeof(services) / sizeof(services[0]); i++)
        if ((rc = aws_config_endpoint(a.cfg, services[i], &ep[i], &e)) != 0)
            goto fail;
    if ((rc = sts_get_caller_identity(a.client, &id, &e)) != 0)
        goto fail;

    if (json) {
        json_t *root = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Account", id.account,
                                 "Arn", id.arn, "UserId", id.user_id, "Profile",
                                 aws_config_profile(a.cfg), "Region", aws_config_region(a.cfg),
                                 "CredentialSource", source, "AccessKeyIdEnding", key_tail);
        json_t *eps = json_object();

        for (i = 0; i < sizeof(services) / sizeof(services[0]); i++)
            json_object_set_new(eps, aws_service_name(services[i]), json_string(ep[i].url));
        json_object_set_new(root, "Endpoints", eps);
        json_dumpf(root, stdout, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(root);
    } else {
        printf("Account:      %s\n", id.account);
        printf("ARN:          %s\n", id.arn);
        printf("User id:      %s\n", id.user_id);
        printf("Profile:      %s%s\n", aws_config_profile(a.cfg),
               aws_config_profile_explicit(a.cfg) ? " (--profile)" : "");
        printf("Region:       %s\n", aws_config_region(a.cfg));
        printf("Credentials:  %s (access key ...%s)\n", source, key_tail);
        printf("Endpoints:\n");
        for (i = 0; i < sizeof(services) / sizeof(services[0]); i++)
            printf("  %-16s %s%s\n", aws_service_name(services[i]), ep[i].url,
                   ep[i].custom ? " (configured)" : "");
    }
    cli_aws_close(&a);
    return cli_stdout_finish(0, &e);
fail:
    cli_aws_close(&a);
    return cli_fail(&e);
}

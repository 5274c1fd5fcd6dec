/* prices.c: the on-demand price table of SageMaker training instances.
 *
 * Source: Amazon SageMaker AI pricing, On-Demand Pricing, "Training" tab,
 *         https://aws.amazon.com/sagemaker/pricing/
 * Region: US East (N. Virginia), us-east-1. Currency: USD per instance-hour.
 * Taken:  2024-06 (transcribed by hand; AWS changes prices, so check the page before quoting an
 *         estimate as a bill).
 *
 * To update: edit the array below (keep it sorted by name: the lookup is a binary search and
 * the unit tests check the order), then prices_date. Nothing else in sagetop holds a price.
 * Must not do I/O; the table is const data.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/prices.h"

const char prices_source[] = "https://aws.amazon.com/sagemaker/pricing/";
const char prices_date[] = "2024-06";
const char prices_region[] = "us-east-1";

static const struct price_entry table[] = {
    { "ml.c5.18xlarge", 3.672 },
    { "ml.c5.2xlarge", 0.408 },
    { "ml.c5.4xlarge", 0.816 },
    { "ml.c5.9xlarge", 1.836 },
    { "ml.c5.xlarge", 0.204 },
    { "ml.g4dn.12xlarge", 4.89 },
    { "ml.g4dn.16xlarge", 5.44 },
    { "ml.g4dn.2xlarge", 0.94 },
    { "ml.g4dn.4xlarge", 1.505 },
    { "ml.g4dn.8xlarge", 2.72 },
    { "ml.g4dn.xlarge", 0.736 },
    { "ml.g5.12xlarge", 7.09 },
    { "ml.g5.16xlarge", 4.096 },
    { "ml.g5.24xlarge", 10.18 },
    { "ml.g5.2xlarge", 1.515 },
    { "ml.g5.48xlarge", 20.36 },
    { "ml.g5.4xlarge", 2.03 },
    { "ml.g5.8xlarge", 3.06 },
    { "ml.g5.xlarge", 1.408 },
    { "ml.m4.10xlarge", 2.4 },
    { "ml.m4.16xlarge", 3.84 },
    { "ml.m4.2xlarge", 0.48 },
    { "ml.m4.4xlarge", 0.96 },
    { "ml.m4.xlarge", 0.24 },
    { "ml.m5.12xlarge", 2.765 },
    { "ml.m5.24xlarge", 5.53 },
    { "ml.m5.2xlarge", 0.461 },
    { "ml.m5.4xlarge", 0.922 },
    { "ml.m5.large", 0.115 },
    { "ml.m5.xlarge", 0.23 },
    { "ml.p2.16xlarge", 17.28 },
    { "ml.p2.8xlarge", 8.64 },
    { "ml.p2.xlarge", 1.125 },
    { "ml.p3.16xlarge", 28.152 },
    { "ml.p3.2xlarge", 3.825 },
    { "ml.p3.8xlarge", 14.688 },
    { "ml.p3dn.24xlarge", 35.894 },
    { "ml.p4d.24xlarge", 37.688 },
    { "ml.p5.48xlarge", 113.068 },
    { "ml.trn1.2xlarge", 1.54588 },
    { "ml.trn1.32xlarge", 24.72 },
};

const struct price_entry *prices_table(size_t *n)
{
    *n = sizeof(table) / sizeof(table[0]);
    return table;
}

static int by_name(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const struct price_entry *)elem)->instance_type);
}

bool prices_lookup(const char *instance_type, double *usd_per_hour)
{
    const struct price_entry *p;

    if (instance_type == NULL)
        return false;
    p = bsearch(instance_type, table, sizeof(table) / sizeof(table[0]), sizeof(table[0]),
                by_name);
    if (p == NULL)
        return false;
    *usd_per_hour = p->usd_per_hour;
    return true;
}

double prices_estimate_usd(double usd_per_hour, int instance_count, double billable_s)
{
    if (!(usd_per_hour > 0) || !isfinite(usd_per_hour) || instance_count <= 0 ||
        !(billable_s > 0) || !isfinite(billable_s))
        return 0;
    return usd_per_hour * instance_count * billable_s / 3600.0;
}

/* prices.h: on-demand prices of ml.* training instances, and the cost estimate built on them.
 *
 * The table lives in metrics/prices.c as one sorted array with its source, region and date in
 * the header comment; updating prices means editing that array only. Prices are for one region
 * (prices_region), so an estimate for another region is labelled as such by the caller.
 * Pure data and arithmetic: no I/O, thread-safe. */
#ifndef SAGETOP_PRICES_H
#define SAGETOP_PRICES_H

#include <stdbool.h>
#include <stddef.h>

struct price_entry {
    const char *instance_type;   /* "ml.g5.xlarge" */
    double usd_per_hour;         /* on-demand, training, per instance */
};

extern const char prices_source[];   /* where the figures come from (a URL) */
extern const char prices_date[];     /* when they were taken, YYYY-MM */
extern const char prices_region[];   /* "us-east-1" */

/* The table, sorted by instance type. */
const struct price_entry *prices_table(size_t *n);
/* Writes the hourly price of one instance; false (and *usd_per_hour untouched) when the type is
 * not in the table. Case-sensitive, as SageMaker spells them. */
bool prices_lookup(const char *instance_type, double *usd_per_hour);
/* price/hour × count × billable seconds. SageMaker bills training per second, and managed spot
 * training bills its (fewer) billable seconds at the same rate, so spot savings are already in
 * billable_s. Negative or non-finite inputs give 0. */
double prices_estimate_usd(double usd_per_hour, int instance_count, double billable_s);

#endif

/* instance_types.c: the GPU count of SageMaker's ml.* instance types (instance_types.h), the one
 * table of it in the program (the sysmetrics GPU share and procprefix's processes per host both
 * read it). From the EC2 accelerated-computing instance specifications and the SageMaker pricing
 * pages (P2, P3, P4, P5, P6, G4dn, G5, G6, G6e). Must not do I/O; an unknown type is 0, never a
 * guess. Trainium and Inferentia count 0: their processes per host are Neuron cores, which jobs
 * set explicitly. */
#include "aws/instance_types.h"

#include <stddef.h>
#include <string.h>

/* A type listed with its size wins over its family's entry (size "*": every other size of the
 * family); a family's sizes come before its "*" row. */
static const struct {
    const char *family; /* "p4d" */
    const char *size;   /* "24xlarge", or "*" for every size */
    int gpus;
} gpu_table[] = {
    {"p2", "xlarge", 1},      {"p2", "8xlarge", 8},     {"p2", "16xlarge", 16},
    {"p3", "2xlarge", 1},     {"p3", "8xlarge", 4},     {"p3", "16xlarge", 8},
    {"p3dn", "*", 8},         {"p4d", "*", 8},          {"p4de", "*", 8},
    {"p5", "4xlarge", 1},     {"p5", "*", 8},           {"p5e", "*", 8},
    {"p5en", "*", 8},         {"p6-b200", "*", 8},      {"p6e-gb200", "*", 4},
    {"g4dn", "12xlarge", 4},  {"g4dn", "metal", 8},     {"g4dn", "*", 1},
    {"g5", "12xlarge", 4},    {"g5", "24xlarge", 4},    {"g5", "48xlarge", 8},
    {"g5", "*", 1},           {"g6", "12xlarge", 4},    {"g6", "24xlarge", 4},
    {"g6", "48xlarge", 8},    {"g6", "*", 1},           {"g6e", "12xlarge", 4},
    {"g6e", "24xlarge", 4},   {"g6e", "48xlarge", 8},   {"g6e", "*", 1},
};

int instance_types_gpus(const char *type)
{
    const char *fam, *dot;
    size_t fam_len;

    if (type == NULL || strncmp(type, "ml.", 3) != 0)
        return 0;
    fam = type + 3;
    dot = strchr(fam, '.');
    if (dot == NULL)
        return 0;
    fam_len = (size_t)(dot - fam);
    for (size_t i = 0; i < sizeof(gpu_table) / sizeof(gpu_table[0]); i++) {
        if (strlen(gpu_table[i].family) != fam_len ||
            memcmp(gpu_table[i].family, fam, fam_len) != 0)
            continue;
        if (strcmp(gpu_table[i].size, "*") == 0 || strcmp(gpu_table[i].size, dot + 1) == 0)
            return gpu_table[i].gpus;
    }
    return 0;
}

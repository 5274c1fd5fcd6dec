/* instance_types.c: the GPU count of SageMaker's ml.* instance types (instance_types.h), from
 * the EC2 accelerated-computing instance specifications (P2, P3, P4, P5, G4dn, G5, G6, G6e).
 * Must not do I/O; an unknown type is 0, never a guess. */
#include "aws/instance_types.h"

#include <stddef.h>
#include <string.h>

struct gpu_row {
    const char *type;
    int gpus;
};

/* Ordered by name; small enough for a linear scan. */
static const struct gpu_row gpu_rows[] = {
    {"ml.g4dn.12xlarge", 4}, {"ml.g4dn.16xlarge", 1}, {"ml.g4dn.2xlarge", 1},
    {"ml.g4dn.4xlarge", 1},  {"ml.g4dn.8xlarge", 1},  {"ml.g4dn.xlarge", 1},
    {"ml.g5.12xlarge", 4},   {"ml.g5.16xlarge", 1},   {"ml.g5.24xlarge", 4},
    {"ml.g5.2xlarge", 1},    {"ml.g5.48xlarge", 8},   {"ml.g5.4xlarge", 1},
    {"ml.g5.8xlarge", 1},    {"ml.g5.xlarge", 1},     {"ml.g6.12xlarge", 4},
    {"ml.g6.16xlarge", 1},   {"ml.g6.24xlarge", 4},   {"ml.g6.2xlarge", 1},
    {"ml.g6.48xlarge", 8},   {"ml.g6.4xlarge", 1},    {"ml.g6.8xlarge", 1},
    {"ml.g6.xlarge", 1},     {"ml.g6e.12xlarge", 4},  {"ml.g6e.16xlarge", 1},
    {"ml.g6e.24xlarge", 4},  {"ml.g6e.2xlarge", 1},   {"ml.g6e.48xlarge", 8},
    {"ml.g6e.4xlarge", 1},   {"ml.g6e.8xlarge", 1},   {"ml.g6e.xlarge", 1},
    {"ml.p2.16xlarge", 16},  {"ml.p2.8xlarge", 8},    {"ml.p2.xlarge", 1},
    {"ml.p3.16xlarge", 8},   {"ml.p3.2xlarge", 1},    {"ml.p3.8xlarge", 4},
    {"ml.p3dn.24xlarge", 8}, {"ml.p4d.24xlarge", 8},  {"ml.p4de.24xlarge", 8},
    {"ml.p5.48xlarge", 8},   {"ml.p5e.48xlarge", 8},  {"ml.p5en.48xlarge", 8},
};

int instance_types_gpus(const char *type)
{
    if (type == NULL)
        return 0;
    for (size_t i = 0; i < sizeof(gpu_rows) / sizeof(gpu_rows[0]); i++)
        if (strcmp(gpu_rows[i].type, type) == 0)
            return gpu_rows[i].gpus;
    return 0;
}

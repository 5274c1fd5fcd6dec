/* instance_types.h: facts about SageMaker ml.* instance types that several modules need.
 * Pure, constant tables; any thread.
 * The one GPU-count table: metrics/procprefix.c (processes per host) and the host metrics'
 * GPU share (cache/sysmetrics.h) both use it. */
#ifndef SAGETOP_INSTANCE_TYPES_H
#define SAGETOP_INSTANCE_TYPES_H

/* NVIDIA GPUs of an ml.* training instance type ("ml.p4d.24xlarge" -> 8), 0 for a CPU or
 * Trainium/Inferentia type or one this table does not know. */
int instance_types_gpus(const char *type);

#endif

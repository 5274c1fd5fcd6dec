/* instance_types.h: facts about SageMaker ml.* instance types that several modules need.
 * Pure, constant tables; any thread.
 *
 * Note for the merge: helper `ranks` adds a table of its own for rank mapping; the two are
 * meant to become one (this file was written for issue 17's GPU share). */
#ifndef SAGETOP_INSTANCE_TYPES_H
#define SAGETOP_INSTANCE_TYPES_H

/* NVIDIA GPUs of an ml.* training instance type ("ml.p4d.24xlarge" -> 8), 0 for a CPU or
 * Trainium/Inferentia type or one this table does not know. */
int instance_types_gpus(const char *type);

#endif

/* view_tuning_chart.c: placeholder */
#include "tui/views.h"
const struct view_ops view_tuning_chart_ops = { .name = "tuning chart" };

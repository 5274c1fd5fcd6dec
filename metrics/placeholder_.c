/* placeholder so the archive exists; removed when the module lands */
int metrics_placeholder_(void);
int metrics_placeholder_(void) { return 0; }

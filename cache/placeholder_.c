/* placeholder so the archive exists; removed when the module lands */
int cache_placeholder_(void);
int cache_placeholder_(void) { return 0; }

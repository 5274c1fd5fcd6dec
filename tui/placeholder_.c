/* placeholder so the archive exists; removed when the module lands */
int tui_placeholder_(void);
int tui_placeholder_(void) { return 0; }

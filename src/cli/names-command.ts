/** The hidden verb completion scripts run for the file's sandbox names (commands.ts defines it, completion.ts calls it). */
export const NAMES_COMMAND = '__names';

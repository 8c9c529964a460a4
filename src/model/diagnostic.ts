/**
 * A problem in the file, placed at its file, line and column. Made by src/config, shown by src/views and
 * src/commands: it lives in the model so those layers share it without importing each other.
 */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  /** Key path, e.g. `sandboxes.alice.resources.memory`; empty for problems of the file as a whole. */
  path: string;
  message: string;
  hint?: string;
}

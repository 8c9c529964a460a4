/** What loading the file gives: the desired state when it is valid, every problem otherwise, and the secrets. */
import type { DesiredState } from '../model/desired.ts';
import type { Diagnostic } from '../model/diagnostic.ts';

export interface LoadResult {
  /** Set only when `diagnostics` is empty. */
  desired?: DesiredState;
  diagnostics: Diagnostic[];
  /** Every secret value the file yields (tokens), for views to mask. */
  secrets: string[];
}

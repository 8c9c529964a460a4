/** What loading the file gives: the desired state when it is valid, every problem otherwise, and the secrets. */
import type { DesiredState } from '../model/desired.ts';
import type { Diagnostic } from '../model/diagnostic.ts';

export interface LoadResult {
  /** Set only when `diagnostics` is empty. */
  desired?: DesiredState;
  diagnostics: Diagnostic[];
  /** Every secret value the file yields (tokens, sensitive env), for views to mask. */
  secrets: string[];
  /**
   * With `optionalSecrets`: the unset variables that only secrets read, one per place, as warnings. The secrets
   * they feed are empty in `desired`: fit for commands that never use a secret value (status, destroy, …).
   */
  unsetSecrets?: Diagnostic[];
}

/**
 * `--rotate NAME[/PERSON]`: which tokens to issue anew (then verify, then revoke the old). Refused, naming the fix,
 * when the sandbox or person is not in the file, or when the server's token list could not be read (a rotation
 * needs the old token's id to revoke it).
 */
import { OwctlError } from '../errors.ts';
import type { DesiredState } from '../model/desired.ts';
import type { ObservedState } from '../model/observed.ts';

export function checkRotate(rotate: readonly string[], desired: DesiredState, observed: ObservedState): void {
  for (const request of rotate) {
    const [name, person, ...rest] = request.split('/');
    const sandbox = desired.sandboxes.find((s) => s.name === name);
    if (sandbox === undefined || rest.length > 0) {
      throw new OwctlError('usage', `--rotate ${request}: no such sandbox in the file`, { hint: 'give NAME or NAME/PERSON of a sandbox with access: in the file' });
    }
    const people = (sandbox.access ?? []).map((e) => e.person);
    if (people.length === 0 || (person !== undefined && !people.includes(person))) {
      const known = people.length === 0 ? 'it declares no access' : `its access names ${people.join(', ')}`;
      throw new OwctlError('usage', `--rotate ${request}: ${person === undefined ? `${name} has no person to rotate` : `no person ${person} on ${name}`} (${known})`, {
        hint: `add the person under sandboxes.${name}.access first`,
      });
    }
    const live = observed.sandboxes.find((s) => s.name === name && s.access !== undefined);
    if (live === undefined) {
      throw new OwctlError('usage', `--rotate ${request}: the server of ${name} did not list its tokens (not running, not answering, or another host token)`, {
        hint: `run \`owctl verify ${name}\` to see why; a rotation needs the old token's id to revoke it`,
      });
    }
  }
}

/**
 * The `credentials` step: the guest's variable of each host-held credential holds the runtime's placeholder, not the
 * value (read inside the guest, e.g. through `msb exec`). What it proves: a program in the guest reading its
 * environment finds no credential. What it cannot prove here: that the runtime swaps the value in for allowed hosts
 * only (no traffic leaves this host in tests; the egress policy is proven by reading back what msb recorded).
 */
import type { StepContext, StepOutcome } from './steps.ts';

export async function guestCredentials(ctx: StepContext): Promise<StepOutcome> {
  const check = ctx.target.credentials!;
  const url = check.where;
  const names = Object.keys(check.placeholders).sort();
  let found: Record<string, string | null>;
  try {
    found = await check.read(names);
  } catch (error) {
    return { ok: false, url, message: `could not read the guest's variables: ${error instanceof Error ? error.message : String(error)}`, hint: 'is the sandbox running? `owctl status`' };
  }
  for (const name of names) {
    const value = found[name] ?? null;
    if (value === check.placeholders[name]) continue;
    // Never the value read: it may be the credential itself.
    if (value === null) return { ok: false, url, message: `${name} is not set in the guest`, hint: `the runtime sets it to ${check.placeholders[name]}; \`owctl apply --replace\` recreates the sandbox with its credentials` };
    if (check.values.includes(value)) {
      return { ok: false, url, message: `${name} holds the credential's value in the guest: any program there can read and send it`, hint: 'remove it from env and from the image; `owctl apply --replace` recreates the sandbox' };
    }
    return { ok: false, url, message: `${name} holds something other than the placeholder ${check.placeholders[name]}`, hint: `remove ${name} from env and from the image, so only the runtime sets it` };
  }
  return { ok: true, url, message: `${names.join(', ')}: placeholder only` };
}

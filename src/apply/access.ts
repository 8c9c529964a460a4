/**
 * The access part of a change, after the sandbox verified: for each planned operation, in the plan's order, issue
 * the new token (its value goes to the person's file), prove it answers with its scope, and only then revoke the
 * old ones and prove they get 401; then rewrite owctl's record on the sandbox (ids, salted digests) from the
 * server's list. Mechanical: every step follows from the operation.
 */
import { OwctlError } from '../errors.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import type { AccessOp } from '../model/plan.ts';
import type { Runtime } from './runtime.ts';

export type StepRunner = <T>(name: string, body: () => Promise<T>, describe?: (result: T) => string | undefined) => Promise<T>;

/** A step's note is what the runtime answered (e.g. `answers as viewer`, `revoked …; the old value gets 401`). */
const note = (text: string | undefined) => text;

export async function applyAccess(step: StepRunner, runtime: Runtime, sandbox: DesiredSandbox, ops: readonly AccessOp[], instance?: string): Promise<void> {
  if (ops.length === 0) return;
  const access = runtime.access;
  if (access === undefined) throw new OwctlError('access.failed', 'this runtime cannot issue tokens', { hint: 'this is a bug in owctl: please report it' });
  for (const op of ops) {
    const who = op.person ?? (op.cause === 'record' ? undefined : 'earlier-boots');
    // Whatever happened, the record on the sandbox follows the server's list (also after a step failed).
    const record = () => step(who === undefined ? 'access:record' : `access:${who}:record`, () => access.record(sandbox, instance), note);
    try {
      await carryOutOp(step, access, sandbox, op, who ?? 'record', instance);
    } catch (error) {
      await record().catch(() => undefined);
      throw error;
    }
    await record();
  }
}

async function carryOutOp(step: StepRunner, access: NonNullable<Runtime['access']>, sandbox: DesiredSandbox, op: AccessOp, who: string, instance?: string): Promise<void> {
  let retired = null;
  if (op.issue !== undefined) {
    const scope = op.issue;
    const issued = await step(`access:${who}:issue`, () => access.issue(sandbox, op.person!, scope, instance), (r) => `${scope} token ${r.id}`);
    retired = issued.retired;
    await step(`access:${who}:verify`, () => access.check(sandbox, op.person!, scope, instance), note);
  }
  if (op.revoke.length === 0) return;
  const forget = op.issue === undefined ? op.person : undefined;
  await step(`access:${who}:revoke`, () => access.revoke(sandbox, op.revoke, retired, instance, forget), note);
}

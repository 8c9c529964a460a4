/**
 * `owctl approvals [NAME…]`: the pending approvals of the declared sandboxes (which sandbox, what is asked, since
 * when); `owctl approvals allow|deny NAME ID` answers one. Both go to the address the backend reports for the
 * sandbox (msb's published port, OpenSandbox's endpoint with its headers), with the host token in a header only.
 * A sandbox that cannot answer (never created, another project's, not running, unreachable, token refused) is
 * reported as such and makes the exit code 1.
 */
import type { Backend } from '../apply/backend.ts';
import { EXIT, OwctlError } from '../errors.ts';
import { allAnswered, sortApprovals, type PendingApproval, type SandboxApprovals } from '../model/approvals.ts';
import type { DesiredSandbox, DesiredState } from '../model/desired.ts';
import { LABEL_PROJECT } from '../model/labels.ts';
import type { ObservedState } from '../model/observed.ts';
import { knownSecrets } from '../secrets/known.ts';
import { approvalsDocument, APPROVALS_FORMAT, renderApprovals, renderReply, type ReplyDocument } from '../views/approvals.ts';
import { openBackend, startMsb } from './backend.ts';
import type { CommandIO } from './io.ts';
import { loadFile } from './load-file.ts';
import { DEFAULT_PARALLELISM } from './snapshot.ts';

export interface ApprovalsOptions {
  file: string;
  msb?: string;
  names: string[];
  json: boolean;
}

export interface ReplyOptions {
  file: string;
  msb?: string;
  name: string;
  id: string;
  reply: 'allow' | 'deny';
  json: boolean;
}

const ANSWERS = new Set(['Running', 'Starting']);

interface Reachable {
  sandbox: DesiredSandbox;
  endpoint: { url: string; headers: Record<string, string>; hostToken: string };
}

/** Where `sandbox`'s server answers, or why it cannot (a SandboxApprovals in a failed state). */
async function reach(sandbox: DesiredSandbox, project: string, observed: ObservedState, backend: Backend): Promise<Reachable | SandboxApprovals> {
  const name = sandbox.name;
  const fail = (state: SandboxApprovals['state'], message: string, hint: string, url: string | null = null): SandboxApprovals => ({ sandbox: name, state, url, message, hint, approvals: [] });
  const live = observed.sandboxes.find((s) => s.name === name);
  if (live === undefined) return fail('not_created', `${name} does not exist`, `create it with \`owctl apply --target ${name}\``);
  const owner = live.labels[LABEL_PROJECT];
  if (owner !== project) return fail('not_ours', `the sandbox named ${name} is not project "${project}"'s`, '`owctl plan` explains the conflict');
  if (!ANSWERS.has(live.status)) return fail('not_running', `${name} is ${live.status}: its server cannot hold or answer approvals`, `start it with \`owctl apply --target ${name}\` (add --wake if msb put it to sleep)`);
  const address = await backend.serverAddress(live, live.id).catch(() => null);
  if (address === null) return fail('no_address', `${name} publishes no address for its OpenWork server`, `run \`owctl status ${name}\``);
  return { sandbox, endpoint: { url: address.url, headers: address.headers, hostToken: sandbox.tokens.host } };
}

async function pendingOf(sandbox: DesiredSandbox, project: string, observed: ObservedState, backend: Backend): Promise<SandboxApprovals> {
  const target = await reach(sandbox, project, observed, backend);
  if ('state' in target) return target;
  const { listApprovals } = await import('../verify/approvals.ts');
  const answer = await listApprovals(target.endpoint);
  const url = target.endpoint.url;
  if (answer.kind === 'failed') return { sandbox: sandbox.name, state: answer.state, url, message: answer.message, hint: answer.hint.replace('NAME', sandbox.name), approvals: [] };
  return { sandbox: sandbox.name, state: 'answered', url, approvals: sortApprovals(answer.approvals) };
}

function chosen(desired: DesiredState, names: readonly string[]): DesiredSandbox[] {
  const unknown = names.filter((name) => !desired.sandboxes.some((s) => s.name === name));
  if (unknown.length > 0) throw new OwctlError('usage', `no sandbox named ${unknown.join(', ')} in the file`, { hint: 'run `owctl status` to list them' });
  return desired.sandboxes.filter((s) => names.length === 0 || names.includes(s.name));
}

async function open(options: { file: string; msb?: string }, io: CommandIO): Promise<{ desired: DesiredState; backend: Backend; observed: ObservedState }> {
  const early = startMsb(options.msb, io);
  const { desired, secrets } = await loadFile(options.file, io, 'approvals');
  const backend = await openBackend(desired, secrets, io, early);
  return { desired, backend, observed: await backend.observe(desired, { parallelism: DEFAULT_PARALLELISM }) };
}

export async function approvalsCommand(options: ApprovalsOptions, io: CommandIO): Promise<number> {
  const { desired, backend, observed } = await open(options, io);
  const results = await Promise.all(chosen(desired, options.names).map((s) => pendingOf(s, desired.project, observed, backend)));
  const doc = approvalsDocument(desired.project, results);
  if (options.json) io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
  else io.stdout(renderApprovals(doc, { color: io.color, nowMs: Date.now(), secrets: knownSecrets() }));
  return allAnswered(results) ? EXIT.ok : EXIT.error;
}

/** Answers one pending approval; succeeds only when the server confirms the reply it was given. */
export async function replyCommand(options: ReplyOptions, io: CommandIO): Promise<number> {
  const { desired, backend, observed } = await open(options, io);
  const [sandbox] = chosen(desired, [options.name]);
  const target = await reach(sandbox!, desired.project, observed, backend);
  if ('state' in target) throw new OwctlError('approvals.unavailable', target.message!, { hint: target.hint });
  const { listApprovals, replyApproval } = await import('../verify/approvals.ts');
  const listed = await listApprovals(target.endpoint);
  if (listed.kind === 'failed') throw new OwctlError('approvals.unavailable', `${options.name}: ${listed.message}`, { hint: listed.hint.replace('NAME', options.name) });
  const pending = listed.approvals.find((a) => a.id === options.id);
  if (pending === undefined) throw notPending(options, listed.approvals);
  const answer = await replyApproval(target.endpoint, options.id, options.reply);
  if (answer.kind === 'not_found') throw notPending(options, [], 'it timed out or was answered while this command ran');
  if (answer.kind === 'failed') throw new OwctlError('approvals.unavailable', `${options.name}: ${answer.message}`, { hint: answer.hint.replace('NAME', options.name) });
  if (answer.allowed !== (options.reply === 'allow')) {
    throw new OwctlError('approvals.failed', `${options.name}: the server answered allowed=${answer.allowed} to ${options.reply}`, { hint: 'check the image version; `owctl approvals` lists what is still pending' });
  }
  const doc: ReplyDocument = { format_version: APPROVALS_FORMAT, sandbox: options.name, id: options.id, reply: options.reply, allowed: answer.allowed, action: pending.action, summary: pending.summary };
  io.stdout(options.json ? `${JSON.stringify(doc, null, 2)}\n` : renderReply(doc, knownSecrets()));
  return EXIT.ok;
}

function notPending(options: ReplyOptions, others: readonly PendingApproval[], why = 'no pending approval has this id'): OwctlError {
  const listed = others.length === 0 ? 'none is pending' : `pending: ${sortApprovals(others).map((a) => a.id).join(', ')}`;
  return new OwctlError('approvals.not_found', `${options.name}: ${why} (${listed})`, { hint: `run \`owctl approvals ${options.name}\` to list what is pending` });
}

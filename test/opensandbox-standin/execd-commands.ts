/**
 * execd's command route in the stand-in (`POST /command`): the command runs under `bash -c` with the guest's
 * environment, which is the create request's env (what the sandbox's workload sees) with any variables the test set
 * over it (`guestEnv`: an image whose shell exports a value of its own), and answers as execd does: a stream of JSON
 * events (`init`, then `stdout`/`stderr`, then `execution_complete`, or `error` with the exit code as `evalue`).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './read-body.ts';
import type { Exchange } from './standin.ts';

export interface GuestShell {
  /** The guest's environment: the create request's env, then the test's overrides. */
  env(): Record<string, string>;
  record(exchange: Exchange): void;
}

type StreamEvent = { type: string; text?: string; timestamp: number; execution_time?: number; error?: { ename: string; evalue: string; traceback: string[] } };

function run(command: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    // Only PATH from the host, so the shell finds its programs: nothing else of the test's environment leaks in.
    const child = spawn('bash', ['-c', command], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? 1 }));
    child.on('error', (error) => resolve({ stdout, stderr: String(error), code: 127 }));
  });
}

/** Answers `POST /command`; anything else on that path is execd's 400. Returns false for other paths. */
export async function commandRoute(req: IncomingMessage, res: ServerResponse, shell: GuestShell): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://execd').pathname;
  if (path !== '/command') return false;
  const body = (await readBody(req)) as { command?: unknown } | undefined;
  const exchange = (status: number, responseBody: unknown): Exchange => ({ method: req.method ?? 'GET', path, query: '', requestBody: body, status, responseBody, headers: {} });
  if (req.method !== 'POST' || typeof body?.command !== 'string' || body.command === '') {
    const payload = { code: 'INVALID_REQUEST_BODY', message: 'error parsing request, MAYBE invalid body format' };
    shell.record(exchange(400, payload));
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
    return true;
  }
  const started = Date.now();
  const result = await run(body.command, shell.env());
  const events: StreamEvent[] = [{ type: 'init', text: randomBytes(16).toString('hex'), timestamp: started }];
  if (result.stdout !== '') events.push({ type: 'stdout', text: result.stdout, timestamp: Date.now() });
  if (result.stderr !== '') events.push({ type: 'stderr', text: result.stderr, timestamp: Date.now() });
  events.push(
    result.code === 0
      ? { type: 'execution_complete', timestamp: Date.now(), execution_time: Date.now() - started }
      : { type: 'error', timestamp: Date.now(), error: { ename: 'CommandExecError', evalue: String(result.code), traceback: [`exit status ${result.code}`] } },
  );
  shell.record(exchange(200, events));
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join(''));
  return true;
}

/**
 * Live progress of an apply/destroy on a terminal with listr2: a task tree. It only listens to executor events;
 * each task waits for its sandbox's finish/failure event. (Non-terminals get progress-lines.ts.)
 */
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { ApplyEvent } from '../apply/events.ts';
import type { Change } from '../model/plan.ts';

interface TaskHandle {
  output: string;
  skip: (message?: string) => void;
}
type Settle = { resolve: (skip?: string) => void; reject: (error: Error) => void; task?: TaskHandle };

export interface RunningStep {
  step: string;
  since: number;
  last?: string;
}

/** `verify · 14 s (verify:health ok (271 ms))`: the step in flight, how long it has run, and its last finished part. */
export function stepLine(running: RunningStep, now: number): string {
  const elapsed = `${Math.floor(Math.max(0, now - running.since) / 1000)} s`;
  return `${running.step} · ${elapsed}${running.last === undefined ? '' : ` (${running.last})`}`;
}

const VERB: Record<string, string> = { create: 'create', update: 'update', replace: 'replace', delete: 'destroy', start: 'start' };

export class ProgressView {
  private readonly waits = new Map<string, Settle>();
  private readonly done: Promise<unknown>;
  /** listr2 holds process.stdout/stderr while it draws (writes are buffered until it ends); this is that hold. */
  private readonly output = new ProcessOutput();
  private readonly started = new Set<string>();
  /** Sandboxes whose task has an outcome (finished, failed, skipped, interrupted, or never to start). */
  private readonly settled = new Set<string>();
  private readonly finished = new Set<string>();
  private readonly list: Listr;
  /** Every sandbox the run changes, in plan order (listr2 may not have started a task for each yet). */
  private readonly names: string[];
  private readonly steps = new Map<string, string>();
  private interruptedBy: string | undefined;
  /** Each sandbox's step in flight: since when, and what finished last inside it (a verification check). */
  private readonly running = new Map<string, RunningStep>();
  private readonly ticker = setInterval(() => {
    for (const sandbox of this.running.keys()) this.show(sandbox);
  }, 1_000);

  /** `verb`: what the summary of a run left at a second interrupt calls it (`Apply`, `Destroy`). */
  constructor(changes: Change[], private readonly verb = 'apply') {
    this.names = changes.filter((c) => c.action !== 'noop').map((c) => c.sandbox);
    const tasks: ListrTask[] = changes
      .filter((c) => c.action !== 'noop')
      .map((change) => ({
        title: `${VERB[change.action] ?? change.action} ${change.sandbox}`,
        task: (_ctx: unknown, task: TaskHandle) =>
          new Promise<string | undefined>((resolve, reject) => {
            this.waits.set(change.sandbox, { resolve, reject, task });
            // An interrupt that came before listr2 ran this task is shown all the same.
            if (this.interruptedBy !== undefined) task.output = this.notice(change.sandbox, this.interruptedBy);
          }).then((skip) => {
            // listr2 shows a skip's message instead of the title: it names the sandbox itself.
            if (skip !== undefined) task.skip(`${change.sandbox}: ${skip}`);
          }),
      }));
    const list = (this.list = new Listr(tasks, {
      concurrent: true,
      exitOnError: false,
      renderer: 'default',
      fallbackRenderer: 'simple',
      // A terminal that reports no width (a pty nobody sized, as `script` makes) would get one character per line.
      fallbackRendererCondition: !((process.stdout.columns ?? 0) > 0),
      rendererOptions: { collapseErrors: false, logger: new ListrLogger({ useIcons: true, toStderr: [], processOutput: this.output }) } as never,
      // Its own SIGINT listener would exit 127 at once; owctl owns the signals (src/commands/interrupt.ts).
      registerSignalListeners: false,
    }));
    this.ticker.unref();
    this.done = list.run().catch(() => undefined).finally(() => clearInterval(this.ticker));
  }

  readonly onEvent = (event: ApplyEvent): void => {
    // The executor may start a change before listr2 has run its task: remember it either way.
    if (event.type === 'change_start') this.started.add(event.sandbox);
    const current = this.running.get(event.sandbox);
    if (event.type === 'step_start' && current !== undefined && event.step.startsWith(`${current.step}:`)) {
      // A part of the step in flight that waits (a verification check): said beside the step, whose clock runs on.
      current.last = event.message === undefined ? event.step : `${event.step}: ${event.message}`;
    } else if (event.type === 'step_start') {
      this.steps.set(event.sandbox, event.step);
      this.running.set(event.sandbox, { step: event.step, since: Date.now(), ...(event.message === undefined ? {} : { last: event.message }) });
    }
    if (event.type === 'step_finish' && (event.step === 'stop-server' || event.step.startsWith('verify:'))) {
      const last = event.step === 'stop-server' ? event.message : `${event.step} ${event.ok ? 'ok' : 'failed'} (${event.duration_ms} ms)`;
      if (current !== undefined && last !== undefined) current.last = last;
    }
    if (event.type === 'change_finish' || event.type === 'change_failed' || event.type === 'change_skipped' || event.type === 'change_interrupted') {
      this.running.delete(event.sandbox);
      this.settled.add(event.sandbox);
      if (event.type === 'change_finish') this.finished.add(event.sandbox);
    }
    const wait = this.waits.get(event.sandbox);
    if (wait === undefined) return;
    this.show(event.sandbox);
    if (event.type === 'change_finish') wait.resolve();
    if (event.type === 'change_skipped') wait.resolve(event.reason);
    if (event.type === 'change_interrupted') wait.resolve(event.reason);
    if (event.type === 'change_failed') wait.reject(new Error(`${event.step}: ${event.message}`));
  };

  /** The step in flight with its elapsed time (redrawn every second by the ticker), unless an interrupt notice shows. */
  private show(sandbox: string): void {
    const task = this.waits.get(sandbox)?.task;
    const current = this.running.get(sandbox);
    if (task === undefined || current === undefined || this.interruptedBy !== undefined) return;
    task.output = stepLine(current, Date.now());
  }

  /** Shows an interrupt in the tree: what is in flight finishes its step, the rest will not start. */
  interrupted(signal: string): void {
    this.interruptedBy = signal;
    for (const [sandbox, wait] of this.waits) {
      if (wait.task !== undefined) wait.task.output = this.notice(sandbox, signal);
      // Queued sandboxes will not start: settled now, rather than spinning until the steps in flight end.
      if (!this.started.has(sandbox)) {
        this.settled.add(sandbox);
        wait.resolve(`${signal}: never started`);
      }
    }
  }

  private notice(sandbox: string, signal: string): string {
    return this.started.has(sandbox) ? `${signal}: finishing ${this.steps.get(sandbox) ?? 'its first step'}, then stopping` : `${signal}: will not start`;
  }

  /** Gives process.stdout/stderr back at once (owctl is leaving without waiting for the last frame). */
  abandon(): void {
    clearInterval(this.ticker);
    // A last frame, drawn now (owctl exits right after): every task settled, so no spinner is left frozen. The
    // renderer is listr2's own (not in its typings); ending it draws synchronously into the held output.
    // Whatever listr2 can or cannot draw (it may not have drawn its first frame yet), the output is given back and
    // the summary said.
    try {
      for (const [sandbox, { task }] of this.waits) {
        if (task === undefined || this.settled.has(sandbox)) continue;
        const step = this.running.get(sandbox)?.step;
        task.skip(this.started.has(sandbox) ? `${sandbox}: left running${step === undefined ? '' : ` at step ${step}`} (its msb call finishes on its own)` : `${sandbox}: never started`);
      }
      (this.list as unknown as { renderer?: { end?: () => void } }).renderer?.end?.();
    } finally {
      this.output.release();
      process.stdout.write(`${this.leftSummary()}\n`);
    }
  }

  /** `Apply interrupted: 0 finished, 1 left running (a1), 2 never started (a2, a3).` */
  private leftSummary(): string {
    const names = this.names;
    const finished = names.filter((n) => this.finished.has(n));
    const left = names.filter((n) => this.started.has(n) && !this.settled.has(n));
    const never = names.filter((n) => !this.started.has(n));
    const stopped = names.filter((n) => this.started.has(n) && this.settled.has(n) && !this.finished.has(n));
    const part = (count: string[], what: string) => `${count.length} ${what}${count.length > 0 ? ` (${count.join(', ')})` : ''}`;
    const verb = `${this.verb[0]!.toUpperCase()}${this.verb.slice(1)}`;
    const ended = stopped.length > 0 ? `, ${part(stopped, 'stopped or failed')}` : '';
    return `\n${verb} interrupted: ${part(finished, 'finished')}${ended}, ${part(left, 'left running')}, ${part(never, 'never started')}.`;
  }

  /** Waits for the renderer to draw its last frame. */
  async finish(): Promise<void> {
    await this.done;
  }
}

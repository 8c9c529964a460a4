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

const VERB: Record<string, string> = { create: 'create', update: 'update', replace: 'replace', delete: 'destroy', start: 'start' };

export class ProgressView {
  private readonly waits = new Map<string, Settle>();
  private readonly done: Promise<unknown>;
  /** listr2 holds process.stdout/stderr while it draws (writes are buffered until it ends); this is that hold. */
  private readonly output = new ProcessOutput();
  private readonly started = new Set<string>();
  private readonly steps = new Map<string, string>();
  private interruptedBy: string | undefined;

  constructor(changes: Change[]) {
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
            if (skip !== undefined) task.skip(skip);
          }),
      }));
    const list = new Listr(tasks, {
      concurrent: true,
      exitOnError: false,
      renderer: 'default',
      fallbackRenderer: 'simple',
      // A terminal that reports no width (a pty nobody sized, as `script` makes) would get one character per line.
      fallbackRendererCondition: !((process.stdout.columns ?? 0) > 0),
      rendererOptions: { collapseErrors: false, logger: new ListrLogger({ useIcons: true, toStderr: [], processOutput: this.output }) } as never,
      // Its own SIGINT listener would exit 127 at once; owctl owns the signals (src/commands/interrupt.ts).
      registerSignalListeners: false,
    });
    this.done = list.run().catch(() => undefined);
  }

  readonly onEvent = (event: ApplyEvent): void => {
    // The executor may start a change before listr2 has run its task: remember it either way.
    if (event.type === 'change_start') this.started.add(event.sandbox);
    if (event.type === 'step_start') this.steps.set(event.sandbox, event.step);
    const wait = this.waits.get(event.sandbox);
    if (wait === undefined) return;
    if (event.type === 'step_start' && wait.task) wait.task.output = event.message === undefined ? event.step : `${event.step}: ${event.message}`;
    if (event.type === 'step_finish' && event.step === 'stop-server' && event.message && wait.task) wait.task.output = event.message;
    if (event.type === 'step_finish' && event.step.startsWith('verify:') && wait.task) {
      wait.task.output = `${event.step} ${event.ok ? 'ok' : 'failed'} (${event.duration_ms} ms)`;
    }
    if (event.type === 'change_finish') wait.resolve();
    if (event.type === 'change_skipped') wait.resolve(event.reason);
    if (event.type === 'change_interrupted') wait.resolve(event.reason);
    if (event.type === 'change_failed') wait.reject(new Error(`${event.step}: ${event.message}`));
  };

  /** Shows an interrupt in the tree: what is in flight finishes its step, the rest will not start. */
  interrupted(signal: string): void {
    this.interruptedBy = signal;
    for (const [sandbox, { task }] of this.waits) if (task !== undefined) task.output = this.notice(sandbox, signal);
  }

  private notice(sandbox: string, signal: string): string {
    return this.started.has(sandbox) ? `${signal}: finishing ${this.steps.get(sandbox) ?? 'its first step'}, then stopping` : `${signal}: will not start`;
  }

  /** Gives process.stdout/stderr back at once (owctl is leaving without waiting for the last frame). */
  abandon(): void {
    this.output.release();
  }

  /** Waits for the renderer to draw its last frame. */
  async finish(): Promise<void> {
    await this.done;
  }
}

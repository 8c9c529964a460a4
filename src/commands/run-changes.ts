/**
 * The execution half shared by apply and destroy: progress (listr2, or the --json event stream), interrupts,
 * the executor, and the closing summary. Returns the exit code.
 */
import { execute } from '../apply/executor.ts';
import type { ApplyEvent, ApplyResult } from '../apply/events.ts';
import { EXIT, signalExit } from '../errors.ts';
import type { Plan } from '../model/plan.ts';
import { renderApplySummary } from '../views/apply-summary.ts';
import type { EventStream } from '../views/event-stream.ts';
import { ProgressView } from '../views/progress.ts';
import { progressLine } from '../views/progress-lines.ts';
import { style } from '../views/style.ts';
import { interruptsOf, isGitHubActions, type CommandIO } from './io.ts';
import { runtimeOf } from './runtime.ts';
import type { Snapshot } from './snapshot.ts';

/** Which change is at which step, for what a second interrupt says may be left. */
class InFlight {
  private readonly steps = new Map<string, { action: string; step: string; since: number }>();

  onEvent(event: ApplyEvent): void {
    if (event.type === 'change_start') this.steps.set(event.sandbox, { action: event.action, step: 'starting', since: Date.now() });
    else if (event.type === 'step_start') {
      const entry = this.steps.get(event.sandbox);
      if (entry !== undefined) this.steps.set(event.sandbox, { ...entry, step: event.step, since: Date.now() });
    } else if (event.type === 'change_finish' || event.type === 'change_failed' || event.type === 'change_interrupted') this.steps.delete(event.sandbox);
  }

  describe(): string[] {
    return [...this.steps.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([sandbox, { action, step, since }]) => `${sandbox}: ${action}, at step ${step} for ${((Date.now() - since) / 1000).toFixed(1)} s`);
  }
}

export function exitCodeOf(result: ApplyResult, signal?: unknown): number {
  if (result.interrupted) return signalExit(signal);
  return result.outcomes.some((o) => o.outcome === 'failed') ? EXIT.error : EXIT.ok;
}

export async function runChanges(
  planned: Plan,
  snapshot: Snapshot,
  options: { parallelism: number; verb: 'Apply' | 'Destroy'; stream?: EventStream; afterExecute?: (result: ApplyResult) => Promise<void> },
  io: CommandIO,
): Promise<{ result: ApplyResult; code: number }> {
  // A live listr2 tree on a terminal; plain lines elsewhere (CI); the event stream with --json.
  const progress = !options.stream && io.interactive ? new ProgressView(planned.changes, options.verb) : undefined;
  const lines = (event: ApplyEvent) => {
    const line = progressLine(event);
    if (line !== null) io.stdout(`${line}\n`);
  };
  const view = options.stream?.onEvent ?? progress?.onEvent ?? lines;
  const inFlight = new InFlight();
  const onEvent = (event: ApplyEvent) => {
    inFlight.onEvent(event);
    view(event);
  };
  const runtime = runtimeOf(snapshot.backend, { name: snapshot.desired.project, dir: snapshot.desired.dir });
  const capabilities = snapshot.backend.capabilities;
  const interrupts = interruptsOf(io);
  const showInterrupt = () => progress?.interrupted(interrupts.by ?? 'interrupt');
  // A signal that came before this point has already fired: show it now, or the progress view waits for it.
  if (interrupts.signal.aborted) showInterrupt();
  else interrupts.signal.addEventListener('abort', showInterrupt, { once: true });
  const forget = interrupts.atForcedExit(() => progress?.abandon());
  const result = await interrupts
    .whileWaiting('starting nothing new; waiting for the steps in flight to finish', () => inFlight.describe(), () =>
      execute(planned.changes, snapshot.desired, runtime, { parallelism: options.parallelism, signal: interrupts.signal, onEvent, capabilities }),
    )
    .finally(() => {
      interrupts.signal.removeEventListener('abort', showInterrupt);
      forget();
    });
  await progress?.finish();
  await options.afterExecute?.(result);
  const code = exitCodeOf(result, interrupts.signal.reason);
  if (options.stream) options.stream.summary(result, code);
  else io.stdout(renderApplySummary(result, options.verb, style(io.color)));
  if (isGitHubActions(io.env)) {
    const { appendStepSummary, applySummaryMarkdown } = await import('../views/github.ts');
    await appendStepSummary(io.env, applySummaryMarkdown(result, options.verb));
  }
  return { result, code };
}

/**
 * owctl is the only owner of SIGINT, SIGTERM and SIGHUP, from start to exit (no default handler, no library's own
 * listener). The first signal aborts `signal`: every phase stops where it safely can — a read-only phase (load,
 * observe, a prompt) at once, the executor by starting nothing new while the msb calls in flight (in their own
 * process group, so a terminal's Ctrl-C never reaches them) finish — and the command exits 128 + its number (130 SIGINT) saying what
 * finished, what was interrupted and what never started. A second signal stops waiting: it says what may be
 * left, runs the synchronous cleanups (the lock) and exits with that code at once (Terraform's "Two interrupts received").
 */
import { OwctlError, signalExit } from '../errors.ts';


/** How long a failed read waits for a signal that may have caused it (see `during`). */
const READ_FAILURE_GRACE_MS = 100;
export const HANDLED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export class Interrupts {
  private readonly controller = new AbortController();
  /** Aborted at the first handled signal; its reason is the signal's name. */
  readonly signal: AbortSignal = this.controller.signal;
  private received: NodeJS.Signals | undefined;
  private claims = 0;
  private waiting: { note: string; leftovers: () => string[] } | undefined;
  private readonly forcedExit = new Set<() => void>();

  constructor(
    private readonly write: (text: string) => void,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  /** The first signal received, if any. */
  get by(): NodeJS.Signals | undefined {
    return this.received;
  }

  /** What a handled signal does; also called for a Ctrl-C read by a prompt (the terminal is raw then). */
  readonly receive = (signal: NodeJS.Signals): void => {
    if (this.received === undefined) {
      this.received = signal;
      if (this.waiting !== undefined) this.write(`\n${signal} received: ${this.waiting.note} (a second interrupt stops waiting)\n`);
      this.controller.abort(signal);
      return;
    }
    const left = this.waiting?.leftovers() ?? [];
    const lines = ['', `Two interrupts received (${this.received}, then ${signal}): leaving now, without waiting.`];
    if (left.length > 0) {
      lines.push('Still running, and left to finish on their own (each msb call in its own process group):');
      lines.push(...left.map((line) => `  ${line}`));
      lines.push('These sandboxes may be left half made: once those calls have ended, `owctl plan` shows what is left and `owctl apply` converges it.');
    }
    for (const cleanup of this.forcedExit) {
      try {
        cleanup();
      } catch {
        // leaving anyway
      }
    }
    this.write(`${lines.join('\n')}\n`);
    this.exit(signalExit(this.received));
  };

  /** The command handles interrupts itself from here on (else the whole command is cut short at a signal). */
  claim(): void {
    this.claims++;
  }

  get claimed(): boolean {
    return this.claims > 0;
  }

  /**
   * Runs `body` as a phase that waits for work it started: a first signal is answered with `note`, a second one
   * lists `leftovers()` before leaving.
   */
  async whileWaiting<T>(note: string, leftovers: () => string[], body: () => Promise<T>): Promise<T> {
    const previous = this.waiting;
    this.waiting = { note, leftovers };
    try {
      return await body();
    } finally {
      this.waiting = previous;
    }
  }

  /** A synchronous cleanup that must run even when a second signal leaves at once (e.g. removing the lock file). */
  atForcedExit(cleanup: () => void): () => void {
    this.forcedExit.add(cleanup);
    return () => this.forcedExit.delete(cleanup);
  }

  /** The error a phase stops with; exit code 128 + the signal's number (130 for SIGINT). */
  error(phase: string, consequence = 'nothing was changed'): OwctlError {
    return new OwctlError('apply.interrupted', `interrupted by ${this.received ?? 'a signal'} while ${phase}; ${consequence}`, {
      exitCode: signalExit(this.received),
      hint: 'run the command again when you are ready',
      details: { signal: this.received ?? null, phase },
    });
  }

  /** Throws the phase's error when a signal has arrived. */
  check(phase: string): void {
    if (this.signal.aborted) throw this.error(phase);
  }

  /**
   * `work`, unless a signal arrives first: then this rejects at once, and `work` (read-only: loading, observing)
   * is left to end on its own.
   */
  during<T>(phase: string, work: Promise<T>): Promise<T> {
    this.check(phase);
    work.catch(() => undefined); // abandoned on a signal: its failure is no longer anyone's
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(this.error(phase));
      this.signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          this.signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          // Reads share owctl's process group, so the terminal's signal may end one a moment before owctl's own
          // handler runs: a failure followed closely by a signal is that signal's doing, reported as the interrupt.
          setTimeout(() => {
            this.signal.removeEventListener('abort', onAbort);
            reject(this.signal.aborted ? this.error(phase) : error);
          }, READ_FAILURE_GRACE_MS);
        },
      );
    });
  }

  /** Rejects when a signal arrives while no command has claimed interrupts (a read-only command is cut short). */
  unclaimed(): Promise<never> {
    return new Promise((_resolve, reject) => {
      const onAbort = () => {
        if (!this.claimed) reject(this.error('running', 'nothing was changed'));
      };
      if (this.signal.aborted) onAbort();
      else this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Installs owctl's handlers for SIGINT, SIGTERM and SIGHUP on this process. Returns the uninstaller. */
export function ownProcessSignals(interrupts: Interrupts): () => void {
  for (const signal of HANDLED_SIGNALS) process.on(signal, interrupts.receive);
  return () => {
    for (const signal of HANDLED_SIGNALS) process.off(signal, interrupts.receive);
  };
}

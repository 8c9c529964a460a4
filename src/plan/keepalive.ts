/**
 * The keepalive decision, pure: msb's idle timer sees exec activity only, so owctl refreshes it (`msb touch`) for a
 * sandbox whose clients used it within its idle_timeout, and leaves the others to msb's drain.
 */
export type KeepaliveVerdict =
  | { action: 'touch'; idleForSecs: number }
  | { action: 'let-drain'; idleForSecs: number | null; reason?: string }
  | { action: 'skip'; reason: string };

export interface KeepaliveInput {
  status: string;
  idleTimeoutSecs: number | null;
  /** Newest client activity (ms since epoch); null = none ever; undefined = could not tell (`unknownReason`). */
  lastUsedMs: number | null | undefined;
  unknownReason?: string;
}

export function keepaliveVerdict(input: KeepaliveInput, nowMs: number): KeepaliveVerdict {
  if (input.idleTimeoutSecs === null) return { action: 'skip', reason: 'no idle_timeout: msb never drains it for idleness' };
  if (input.status !== 'Running') return { action: 'skip', reason: `it is ${input.status}: nothing to keep awake` };
  // Could not tell (the server does not answer: no client is using it either): msb's policy stands.
  if (input.lastUsedMs === undefined) return { action: 'let-drain', idleForSecs: null, reason: input.unknownReason ?? 'client activity unknown' };
  if (input.lastUsedMs === null) return { action: 'let-drain', idleForSecs: null };
  const idleForSecs = Math.max(0, Math.round((nowMs - input.lastUsedMs) / 1000));
  return idleForSecs < input.idleTimeoutSecs ? { action: 'touch', idleForSecs } : { action: 'let-drain', idleForSecs };
}

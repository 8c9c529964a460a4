/** Types for clock.mjs (plain ESM: the simulator runs without a TypeScript loader). */
/** Moves the idle/max-duration clocks of every running sandbox `ms` forward; returns their names. */
export function advanceLifecycleClock(home: string, ms: number): string[];

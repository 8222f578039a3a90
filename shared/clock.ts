/** Source of the current time, injected so tests can fix it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that always returns `epochMs`, for tests. */
export function fixedClock(epochMs: number): Clock {
  return { now: () => epochMs };
}

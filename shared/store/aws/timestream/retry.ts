/** How calls that Timestream throttles are retried. */
export interface RetryOptions {
  /** Calls in all, the first one included. */
  attempts: number;
  /** Delay before the first retry; each later retry doubles it. */
  baseDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryOptions = {
  attempts: 6,
  baseDelayMs: 100,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Tells whether Timestream asked the caller to slow down. */
export function isThrottling(error: unknown): boolean {
  return error instanceof Error && error.name === 'ThrottlingException';
}

/**
 * Runs `call`, retrying it after a `ThrottlingException` with exponential
 * backoff and jitter: retry n waits between half and all of
 * `baseDelayMs * 2^(n-1)`. Other errors, and the last throttling error
 * once `attempts` are used up, are thrown.
 */
export async function withThrottlingRetry<T>(
  call: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottling(error) || attempt >= options.attempts) throw error;
      const ceiling = options.baseDelayMs * 2 ** (attempt - 1);
      await options.sleep(ceiling / 2 + (Math.random() * ceiling) / 2);
    }
  }
}

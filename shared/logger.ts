import { Logger } from '@aws-lambda-powertools/logger';

/** A Powertools logger for one function or process, JSON lines on stdout. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

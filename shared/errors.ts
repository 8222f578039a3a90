/** One invalid field: where it is and what was expected there. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/**
 * Base of every error Observatory raises on purpose. `status` is the HTTP
 * status it maps to; `code` is the stable machine-readable name.
 */
export class ObservatoryError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];

  constructor(
    status: number,
    code: string,
    message: string,
    options: { details?: ErrorDetail[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.details = options.details ?? [];
  }
}

export class ValidationError extends ObservatoryError {
  constructor(message: string, details: ErrorDetail[] = [], cause?: unknown) {
    super(400, 'invalid_request', message, { details, cause });
  }
}

export class NotFoundError extends ObservatoryError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class MethodNotAllowedError extends ObservatoryError {
  constructor(method: string, path: string, allowed: string[]) {
    super(
      405,
      'method_not_allowed',
      `${method} is not allowed on ${path}; use ${allowed.join(' or ')}`,
    );
  }
}

export class PayloadTooLargeError extends ObservatoryError {
  constructor(message: string) {
    super(413, 'payload_too_large', message);
  }
}

export class UnsupportedMediaTypeError extends ObservatoryError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}

/**
 * A failure the client should retry, such as a store that failed while
 * storing an idempotent ingest request. Maps to a 503 with a Retry-After
 * header of `retryAfterSeconds`.
 */
export class ServiceUnavailableError extends ObservatoryError {
  readonly retryAfterSeconds: number;

  constructor(message: string, cause?: unknown, retryAfterSeconds = 5) {
    super(503, 'unavailable', message, { cause });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Raised by a store adapter when its backend fails; maps to a 500. */
export class StoreError extends ObservatoryError {
  constructor(message: string, cause?: unknown) {
    super(500, 'store_failed', message, { cause });
  }
}

export class UnauthorizedError extends ObservatoryError {
  constructor() {
    super(
      401,
      'unauthorized',
      'missing or invalid API key; send it as x-api-key or ' +
        'Authorization: Bearer <key>',
    );
  }
}

export class ForbiddenError extends ObservatoryError {
  constructor(scope: string) {
    super(
      403,
      'forbidden',
      `this API key lacks the ${scope} scope that this route needs; ` +
        `use a key with the ${scope} scope`,
    );
  }
}

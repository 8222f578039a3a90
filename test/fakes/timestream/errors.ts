/**
 * An error the fake returns as Timestream does under the AWS JSON 1.0
 * protocol: an HTTP status and a body with `__type`, `Message` and any
 * extra members of the error shape (such as `RejectedRecords`).
 */
export class TimestreamFakeError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
    readonly members: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** Builds the JSON body of the error response. */
  body(): Record<string, unknown> {
    return {
      __type: `com.amazonaws.timestream.v20181101#${this.type}`,
      Message: this.message,
      ...this.members,
    };
  }
}

export const validation = (message: string) =>
  new TimestreamFakeError('ValidationException', 400, message);

export const notFound = (message: string) =>
  new TimestreamFakeError('ResourceNotFoundException', 404, message);

export const throttling = () =>
  new TimestreamFakeError(
    'ThrottlingException',
    429,
    'Rate exceeded: the fake was told to throttle this request',
  );

/** One entry of `RejectedRecords`, as the WriteRecords reference lists it. */
export interface RejectedRecord {
  RecordIndex: number;
  Reason: string;
  ExistingVersion?: number;
}

export const rejectedRecords = (rejected: RejectedRecord[]) =>
  new TimestreamFakeError(
    'RejectedRecordsException',
    419,
    'One or more records have been rejected. See RejectedRecords for details.',
    { RejectedRecords: rejected },
  );

/** Thrown inside the per-record checks; becomes a RejectedRecords entry. */
export class Rejected extends Error {
  constructor(
    reason: string,
    readonly existingVersion?: number,
  ) {
    super(reason);
  }
}

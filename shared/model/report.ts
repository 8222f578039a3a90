/** An item of a batch that was not stored, by its index in the request. */
export interface Rejection {
  index: number;
  reason: string;
}

/**
 * What happened to a batch: items accepted (stored, or already stored by an
 * earlier identical request) and items rejected with their reasons.
 */
export interface IngestReport {
  accepted: number;
  rejected: Rejection[];
}

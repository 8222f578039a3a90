/**
 * Texts that many points of a batch repeat, such as the service, the
 * metric name and the resource, collected so each crosses into DuckDB
 * once per batch. The staging table stores a text's position in
 * {@link list}, counted from 1 as DuckDB lists count. With
 * @duckdb/node-api 1.5, every string crosses by its own native call, of
 * about a microsecond on a 2-core machine.
 */
export class BatchTexts {
  /** The distinct texts, in the order they were first met. */
  readonly list: string[] = [];
  private readonly positions = new Map<string, number>();
  private readonly jsonPositions = new Map<object, number>();

  /** Returns the position of `text`, adding it when it is new. */
  positionOf(text: string): number {
    let position = this.positions.get(text);
    if (position === undefined) {
      position = this.list.push(text);
      this.positions.set(text, position);
    }
    return position;
  }

  /**
   * Returns the position of the JSON text of `value`. OTLP mapping hands
   * the same resource and scope object to every point under them, so the
   * text is built once per object. A batch is staged in one synchronous
   * pass, so no object can change between two of its calls.
   */
  positionOfJson(value: object): number {
    let position = this.jsonPositions.get(value);
    if (position === undefined) {
      position = this.positionOf(JSON.stringify(value));
      this.jsonPositions.set(value, position);
    }
    return position;
  }
}

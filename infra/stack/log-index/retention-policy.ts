import {
  failureOf,
  type OpenSearchTransport,
} from '#shared/store/aws/opensearch/client.js';

/** The name of the ISM policy that deletes old indices named `prefix-*`. */
export function retentionPolicyIdOf(indexPrefix: string): string {
  return `${indexPrefix}-retention`;
}

/**
 * Builds an Index State Management policy that deletes each daily index
 * `retentionDays` after its creation. Its `ism_template` attaches it to
 * every index named `prefix-*` when the index is created; indices that
 * already exist keep the revision they were created with. A daily index
 * is created by its first record, so a late record for a day already
 * deleted makes a new index that lives another `retentionDays`.
 */
export function retentionPolicy(indexPrefix: string, retentionDays: number) {
  return {
    policy: {
      description: `Deletes ${indexPrefix}-* indices ${retentionDays} days after creation`,
      default_state: 'open',
      states: [
        {
          name: 'open',
          actions: [],
          transitions: [
            {
              state_name: 'delete',
              conditions: { min_index_age: `${retentionDays}d` },
            },
          ],
        },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: [`${indexPrefix}-*`], priority: 100 }],
    },
  };
}

interface StoredPolicy {
  _seq_no?: number;
  _primary_term?: number;
}

/**
 * Creates or replaces the retention policy. ISM answers 409 to a PUT over
 * an existing policy unless it names the stored revision, so the policy
 * is read first and its `_seq_no` and `_primary_term` passed on. Raises
 * StoreError when the cluster refuses a call.
 */
export async function ensureRetentionPolicy(
  client: OpenSearchTransport,
  indexPrefix: string,
  retentionDays: number,
): Promise<void> {
  const path = `/_plugins/_ism/policies/${encodeURIComponent(
    retentionPolicyIdOf(indexPrefix),
  )}`;
  const current = await client.send({ method: 'GET', path });
  if (current.statusCode !== 200 && current.statusCode !== 404) {
    throw failureOf('reading the log retention policy', current);
  }

  const stored = current.body as StoredPolicy | undefined;
  const revision =
    current.statusCode === 200
      ? {
          if_seq_no: String(stored?._seq_no),
          if_primary_term: String(stored?._primary_term),
        }
      : undefined;
  const response = await client.send({
    method: 'PUT',
    path,
    ...(revision ? { querystring: revision } : {}),
    body: retentionPolicy(indexPrefix, retentionDays),
  });
  if (response.statusCode !== 200 && response.statusCode !== 201) {
    throw failureOf('storing the log retention policy', response);
  }
}

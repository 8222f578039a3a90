import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { setUpLogIndices } from '#infra/stack/log-index/handler.js';
import {
  ensureRetentionPolicy,
  retentionPolicy,
} from '#infra/stack/log-index/retention-policy.js';
import { StoreError } from '#shared/errors.js';
import type {
  OpenSearchRequest,
  OpenSearchResponse,
  OpenSearchTransport,
} from '#shared/store/aws/opensearch/client.js';
import { logIndexTemplate } from '#shared/store/aws/opensearch/template.js';

/**
 * Records each request and returns the response that `route` lists for
 * its method and path, or a 500 for a request it does not list.
 */
function fakeCluster(
  route: Record<string, OpenSearchResponse | OpenSearchResponse[]>,
) {
  const requests: OpenSearchRequest[] = [];
  const transport: OpenSearchTransport = {
    async send(request) {
      requests.push(request);
      const answer = route[`${request.method} ${request.path}`];
      if (Array.isArray(answer))
        return answer.shift() ?? { statusCode: 500, body: {} };
      return answer ?? { statusCode: 500, body: { error: 'unrouted' } };
    },
  };
  return { transport, requests };
}

const POLICY_PATH = '/_plugins/_ism/policies/observatory-logs-retention';
const TEMPLATE_PATH = '/_index_template/observatory-logs-template';
const OK = { statusCode: 200, body: { acknowledged: true } };

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  retentionDays = '14',
): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:setup',
    ResponseURL: 'https://cloudformation.invalid/response',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1',
    RequestId: 'request-1',
    LogicalResourceId: 'LogIndexSetup',
    ResourceType: 'Custom::ObservatoryLogIndexSetup',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:setup',
      Endpoint: 'https://search.invalid',
      IndexPrefix: 'observatory-logs',
      RetentionDays: retentionDays,
      TemplateHash: '0123456789abcdef',
    },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  const physical = { PhysicalResourceId: 'observatory-logs-template' };
  if (requestType === 'Update') {
    return {
      ...common,
      ...physical,
      RequestType: 'Update',
      OldResourceProperties: common.ResourceProperties,
    };
  }
  return { ...common, ...physical, RequestType: 'Delete' };
}

describe('retention policy', () => {
  it('deletes indices of the prefix after the retention', () => {
    const body = retentionPolicy('observatory-logs', 14).policy;

    expect(body.ism_template).toEqual([
      { index_patterns: ['observatory-logs-*'], priority: 100 },
    ]);
    expect(body.states[0]?.transitions).toEqual([
      { state_name: 'delete', conditions: { min_index_age: '14d' } },
    ]);
    expect(body.states[1]?.actions).toEqual([{ delete: {} }]);
  });

  it('creates the policy when none exists', async () => {
    const cluster = fakeCluster({
      [`GET ${POLICY_PATH}`]: { statusCode: 404, body: {} },
      [`PUT ${POLICY_PATH}`]: { statusCode: 201, body: {} },
    });

    await ensureRetentionPolicy(cluster.transport, 'observatory-logs', 7);

    const put = cluster.requests[1];
    expect(put?.method).toBe('PUT');
    expect(put?.querystring).toBeUndefined();
    expect(put?.body).toEqual(retentionPolicy('observatory-logs', 7));
  });

  it('replaces a stored policy at its revision', async () => {
    const cluster = fakeCluster({
      [`GET ${POLICY_PATH}`]: {
        statusCode: 200,
        body: { _id: 'x', _seq_no: 7, _primary_term: 2, policy: {} },
      },
      [`PUT ${POLICY_PATH}`]: OK,
    });

    await ensureRetentionPolicy(cluster.transport, 'observatory-logs', 30);

    expect(cluster.requests[1]?.querystring).toEqual({
      if_seq_no: '7',
      if_primary_term: '2',
    });
  });

  it('raises StoreError when the cluster refuses the policy', async () => {
    const cluster = fakeCluster({
      [`GET ${POLICY_PATH}`]: { statusCode: 404, body: {} },
      [`PUT ${POLICY_PATH}`]: {
        statusCode: 403,
        body: { error: { type: 'security_exception', reason: 'no access' } },
      },
    });

    const result = ensureRetentionPolicy(
      cluster.transport,
      'observatory-logs',
      7,
    );

    await expect(result).rejects.toThrow(StoreError);
    await expect(result).rejects.toThrow('security_exception: no access');
  });
});

describe('log index setup', () => {
  it.each(['Create', 'Update'] as const)(
    'stores the template, then the policy, on %s',
    async (requestType) => {
      const cluster = fakeCluster({
        [`PUT ${TEMPLATE_PATH}`]: OK,
        [`GET ${POLICY_PATH}`]: { statusCode: 404, body: {} },
        [`PUT ${POLICY_PATH}`]: OK,
      });

      const result = await setUpLogIndices(
        event(requestType),
        () => cluster.transport,
      );

      expect(result).toEqual({
        PhysicalResourceId: 'observatory-logs-template',
      });
      expect(cluster.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        `PUT ${TEMPLATE_PATH}`,
        `GET ${POLICY_PATH}`,
        `PUT ${POLICY_PATH}`,
      ]);
      expect(cluster.requests[0]?.body).toEqual(
        logIndexTemplate('observatory-logs'),
      );
    },
  );

  it('connects to the endpoint in the resource properties', async () => {
    const endpoints: string[] = [];
    const cluster = fakeCluster({
      [`PUT ${TEMPLATE_PATH}`]: OK,
      [`GET ${POLICY_PATH}`]: { statusCode: 404, body: {} },
      [`PUT ${POLICY_PATH}`]: OK,
    });

    await setUpLogIndices(event('Create'), (endpoint) => {
      endpoints.push(endpoint);
      return cluster.transport;
    });

    expect(endpoints).toEqual(['https://search.invalid']);
  });

  it('leaves the template and policy in place on Delete', async () => {
    const cluster = fakeCluster({});

    const result = await setUpLogIndices(
      event('Delete'),
      () => cluster.transport,
    );

    expect(result).toEqual({ PhysicalResourceId: 'observatory-logs-template' });
    expect(cluster.requests).toEqual([]);
  });

  it('fails the deploy when the template is refused', async () => {
    const cluster = fakeCluster({
      [`PUT ${TEMPLATE_PATH}`]: {
        statusCode: 400,
        body: { error: { type: 'mapper_parsing_exception', reason: 'bad' } },
      },
    });

    await expect(
      setUpLogIndices(event('Create'), () => cluster.transport),
    ).rejects.toThrow('mapper_parsing_exception');
    expect(cluster.requests).toHaveLength(1);
  });

  it.each(['0', '2.5', 'ten'])('rejects RetentionDays %s', async (days) => {
    const cluster = fakeCluster({});

    await expect(
      setUpLogIndices(event('Create', days), () => cluster.transport),
    ).rejects.toThrow(`invalid RetentionDays ${days}`);
  });
});

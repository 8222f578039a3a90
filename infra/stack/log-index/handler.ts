import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { loadConfig, requireSetting } from '#shared/config.js';
import { createLogger } from '#shared/logger.js';
import {
  createOpenSearchClient,
  type OpenSearchTransport,
  transportOf,
} from '#shared/store/aws/opensearch/client.js';
import {
  ensureIndexTemplate,
  templateNameOf,
} from '#shared/store/aws/opensearch/template.js';
import { ensureRetentionPolicy } from './retention-policy.js';

/** The custom resource's properties, as CloudFormation passes them. */
export interface LogIndexSetupProperties {
  /** `https://` URL of the domain. */
  Endpoint: string;
  IndexPrefix: string;
  /** Days a daily index is kept, as a decimal string. */
  RetentionDays: string;
  /** Hash of the index template, so a changed mapping triggers an update. */
  TemplateHash: string;
}

const logger = createLogger('log-index-setup');

function readProperties(event: CloudFormationCustomResourceEvent) {
  const props = event.ResourceProperties as unknown as LogIndexSetupProperties;
  const retentionDays = Number(props.RetentionDays);
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new Error(
      `invalid RetentionDays ${props.RetentionDays}: expected a whole ` +
        'number of days, 1 or more',
    );
  }
  return {
    endpoint: props.Endpoint,
    indexPrefix: props.IndexPrefix,
    retentionDays,
  };
}

/**
 * Creates or updates the log index template and the retention policy of
 * the daily log indices. Deleting the resource leaves both in place: the
 * domain either goes with the stack or is retained with its data.
 */
export async function setUpLogIndices(
  event: CloudFormationCustomResourceEvent,
  connect: (endpoint: string) => OpenSearchTransport,
): Promise<{ PhysicalResourceId: string }> {
  if (event.RequestType === 'Delete') {
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const props = readProperties(event);
  const client = connect(props.endpoint);
  await ensureIndexTemplate(client, props.indexPrefix);
  await ensureRetentionPolicy(client, props.indexPrefix, props.retentionDays);
  logger.info('log index template and retention policy stored', {
    request_type: event.RequestType,
    index_prefix: props.indexPrefix,
    retention_days: props.retentionDays,
  });
  return { PhysicalResourceId: templateNameOf(props.indexPrefix) };
}

/** Lambda entry of the custom resource provider (onEvent). */
export async function handler(event: CloudFormationCustomResourceEvent) {
  const region = requireSetting(loadConfig().aws.region, 'AWS_REGION');
  return setUpLogIndices(event, (endpoint) =>
    transportOf(createOpenSearchClient({ endpoint, region, service: 'es' })),
  );
}

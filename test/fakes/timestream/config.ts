import type { AwsConfig } from '#shared/config.js';

/** AWS settings that point both Timestream clients at a fake. */
export function fakeAwsConfig(endpoint: string): AwsConfig {
  return {
    region: 'us-east-1',
    tracesTable: undefined,
    configTable: undefined,
    timestreamDatabase: 'observatory',
    timestreamTable: 'metrics',
    timestreamMagneticWrites: false,
    timestreamMemoryRetentionHours: 24,
    opensearchEndpoint: undefined,
    opensearchService: 'es',
    logIndexPrefix: 'observatory-logs',
    endpoints: {
      dynamodb: undefined,
      timestreamWrite: endpoint,
      timestreamQuery: endpoint,
    },
  };
}

import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ObservatoryStack } from '#infra/stack/observatory-stack.js';

function synth(removalPolicy?: RemovalPolicy): Template {
  const app = new App();
  const stack = new ObservatoryStack(app, 'Test', { removalPolicy });
  return Template.fromStack(stack);
}

describe('ObservatoryStack storage', () => {
  it('creates on-demand tables with recovery, TTL and encryption', () => {
    const template = synth();

    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 2);
    template.allResourcesProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: {
            PointInTimeRecoveryEnabled: true,
          },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  it('retains data tables unless told to destroy them', () => {
    const retained = synth().findResources('AWS::DynamoDB::GlobalTable');
    const destroyed = synth(RemovalPolicy.DESTROY).findResources(
      'AWS::DynamoDB::GlobalTable',
    );

    for (const table of Object.values(retained)) {
      expect(table.DeletionPolicy).toBe('Retain');
    }
    for (const table of Object.values(destroyed)) {
      expect(table.DeletionPolicy).toBe('Delete');
    }
  });
});

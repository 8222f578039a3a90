import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Renders a CloudFormation value the way cdk-nag names it in a finding:
 * `Fn::GetAtt` as `<LogicalId.Attribute>`, `Ref` as `<LogicalId>`, and
 * `Fn::Join` as its parts joined.
 */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::GetAtt'])) {
    const [id, attribute] = node['Fn::GetAtt'] as string[];
    return `<${id}.${attribute}>`;
  }
  if (typeof node.Ref === 'string') return `<${node.Ref}>`;
  if (Array.isArray(node['Fn::Join'])) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  return JSON.stringify(value);
}

/**
 * Acknowledges the cdk-nag IAM5 finding of a wildcard resource, such as
 * `${table.tableArn}/index/*`, in the policies under `scope`. cdk-nag 3
 * names each finding by its resource, so the acknowledgment names it too.
 */
export function acknowledgeWildcardResource(
  scope: IConstruct,
  resource: string,
  reason: string,
): void {
  const rendered = flatten(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${rendered}]`,
    reason,
  });
}

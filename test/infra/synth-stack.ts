import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addObservatory } from '#infra/stack/observatory-app.js';
import type { ObservatoryStack } from '#infra/stack/observatory-stack.js';

export interface SynthesizedStack {
  app: App;
  stack: ObservatoryStack;
  template: Template;
}

/**
 * Builds the app as `cdk synth` does, from `context`, and synthesizes it
 * with the cdk-nag checks, which throw on any finding not acknowledged.
 * Bundling is skipped, because bundles.test.ts and synth.test.ts build the
 * bundles. CDK's built-in CloudFormation validation is skipped too, since
 * it takes about 30 seconds per synth; synth.test.ts runs it through the
 * CLI.
 */
export function synthesize(
  context: Record<string, unknown> = {},
): SynthesizedStack {
  process.env.CDK_VALIDATION = 'false';
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
  });
  const stack = addObservatory(app);
  app.synth();
  return { app, stack, template: Template.fromStack(stack) };
}

/** A resource of a synthesized template. */
export interface TemplateResource {
  Properties: Record<string, any>;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** Resources of `type` in the template, by logical id. */
export function resourcesOf(
  template: Template,
  type: string,
): Record<string, TemplateResource> {
  return template.findResources(type) as Record<string, TemplateResource>;
}

/** Returns the logical id of a construct's CloudFormation resource. */
export function logicalIdOf(
  stack: ObservatoryStack,
  construct: { node: { defaultChild?: unknown } },
): string {
  const resource = construct.node.defaultChild as Parameters<
    ObservatoryStack['getLogicalId']
  >[0];
  return stack.getLogicalId(resource);
}

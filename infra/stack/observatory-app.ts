import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { settingsFromContext } from './context.js';
import { ObservatoryStack } from './observatory-stack.js';

/**
 * Adds the Observatory stack to `app`, configured from the app's context,
 * and the cdk-nag AWS Solutions checks, which run when the app is
 * synthesized and fail it on any finding not fixed or acknowledged.
 */
export function addObservatory(app: App): ObservatoryStack {
  const settings = settingsFromContext(app.node);
  const stack = new ObservatoryStack(
    app,
    `Observatory-${settings.stage ?? 'dev'}`,
    {
      ...settings,
      description: 'Observatory: APM and observability for AWS workloads',
    },
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

import { App, RemovalPolicy } from 'aws-cdk-lib';
import { ObservatoryStack } from './stack/observatory-stack.js';

const app = new App();
const stage = app.node.tryGetContext('stage') ?? 'dev';
const destroy = app.node.tryGetContext('removalPolicy') === 'destroy';

new ObservatoryStack(app, `Observatory-${stage}`, {
  removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
});

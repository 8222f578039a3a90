import { App } from 'aws-cdk-lib';
import { addObservatory } from './stack/observatory-app.js';

// `cdk synth` and `cdk deploy` run this file; the context keys it reads
// are listed in infra/stack/settings.ts and in the README.
addObservatory(new App());

import { describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '#shared/routes.js';
import { logicalIdOf, resourcesOf, synthesize } from './synth-stack.js';

const { stack, template } = synthesize();

const routes = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route'));
const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration');

function routeOf(key: string) {
  const matches = routes.filter((route) => route.Properties.RouteKey === key);
  if (matches.length !== 1) {
    throw new Error(`expected one route ${key}, found ${matches.length}`);
  }
  return matches[0]?.Properties ?? {};
}

/** The logical id of the function an integration invokes. */
function integratedFunction(integration: { Ref: string }): string {
  const uri = integrations[integration.Ref]?.Properties.IntegrationUri;
  return uri?.['Fn::GetAtt']?.[0];
}

describe('HTTP API routes', () => {
  it('has exactly one route per route table entry', () => {
    const keys = routes.map((route) => route.Properties.RouteKey).sort();

    expect(keys).toEqual(ROUTES.map(routeKey).sort());
  });

  it.each(ROUTES.map((route) => [routeKey(route), route.domain]))(
    'sends %s to the %s function',
    (key, domain) => {
      const target = routeOf(key).Target['Fn::Join'][1][1];
      const fn =
        stack.functions.byName[domain as keyof typeof stack.functions.byName];

      expect(integratedFunction(target)).toBe(logicalIdOf(stack, fn));
    },
  );

  it.each(ROUTES.filter((r) => r.scope !== 'none').map(routeKey))(
    'authorizes %s with the API key authorizer',
    (key) => {
      const route = routeOf(key);
      const authorizerId = Object.keys(
        resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer'),
      )[0];

      expect(route.AuthorizationType).toBe('CUSTOM');
      expect(route.AuthorizerId).toEqual({ Ref: authorizerId });
    },
  );

  it('leaves GET /health open', () => {
    const route = routeOf('GET /health');

    expect(route.AuthorizationType).toBe('NONE');
    expect(route.AuthorizerId).toBeUndefined();
  });
});

describe('API key authorizer', () => {
  it('uses simple responses, no cache and no identity source', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: [],
    });
  });

  it('invokes the authorizer function', () => {
    const authorizer = Object.values(
      resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer'),
    )[0];
    const fnId = logicalIdOf(stack, stack.functions.byName.authorizer);

    expect(JSON.stringify(authorizer?.Properties.AuthorizerUri)).toContain(
      `"${fnId}","Arn"`,
    );
  });
});

describe('default stage', () => {
  it('throttles requests', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: 500,
        ThrottlingBurstLimit: 1000,
      },
    });
  });

  it('writes JSON access logs to a group kept 30 days', () => {
    const stage = Object.values(
      resourcesOf(template, 'AWS::ApiGatewayV2::Stage'),
    )[0]?.Properties;
    const groupId = stage?.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    const format = JSON.parse(stage?.AccessLogSettings.Format);

    expect(format.request_id).toBe('$context.requestId');
    expect(format.status).toBe('$context.status');
    expect(
      resourcesOf(template, 'AWS::Logs::LogGroup')[groupId]?.Properties
        .RetentionInDays,
    ).toBe(30);
  });

  it('sends no CORS headers unless origins are configured', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
    });
    const api = Object.values(
      resourcesOf(template, 'AWS::ApiGatewayV2::Api'),
    )[0];

    expect(api?.Properties.CorsConfiguration).toBeUndefined();
  });
});

import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  type CorsPreflightOptions,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type Domain, ROUTES, type Route, routeKey } from '#shared/routes.js';

export interface ApiProps {
  /** Name of the API in API Gateway. */
  apiName: string;
  /** The Lambda function serving each domain's routes. */
  handlers: Record<Domain, IFunction>;
  authorizer: IFunction;
  /** Origins allowed by CORS; none means no CORS headers. */
  corsOrigins: string[];
  throttle: { rateLimit: number; burstLimit: number };
  accessLogRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** Fields of one access log line; every value is an HTTP API variable. */
const ACCESS_LOG_FIELDS = {
  request_id: '$context.requestId',
  ip: '$context.identity.sourceIp',
  time: '$context.requestTime',
  method: '$context.httpMethod',
  route_key: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  response_length: '$context.responseLength',
  latency_ms: '$context.responseLatency',
  integration_latency_ms: '$context.integrationLatency',
  integration_error: '$context.integrationErrorMessage',
  authorizer_error: '$context.authorizer.error',
};

const CORS_HEADERS = [
  'authorization',
  'content-encoding',
  'content-type',
  'x-api-key',
];

function corsOf(origins: string[]): CorsPreflightOptions | undefined {
  if (origins.length === 0) return undefined;
  return {
    allowOrigins: origins,
    allowMethods: [
      CorsHttpMethod.GET,
      CorsHttpMethod.POST,
      CorsHttpMethod.PUT,
      CorsHttpMethod.DELETE,
    ],
    allowHeaders: CORS_HEADERS,
    maxAge: Duration.hours(1),
  };
}

/**
 * The HTTP API: one route per entry of the route table, each integrated
 * with its domain's function, behind the API key authorizer except for
 * routes whose scope is `none` (`GET /health`).
 */
export class ObservatoryApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly routes: HttpRoute[];

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: props.apiName,
      description: 'Observatory telemetry ingest and query API',
      corsPreflight: corsOf(props.corsOrigins),
      createDefaultStage: false,
    });
    this.stage = this.createStage(props);

    const authorizer = apiKeyAuthorizer(props.authorizer);
    const integrations = new Map<Domain, HttpLambdaIntegration>();
    const integrationOf = (domain: Domain) => {
      const integration =
        integrations.get(domain) ??
        new HttpLambdaIntegration(
          `${domain}Integration`,
          props.handlers[domain],
        );
      integrations.set(domain, integration);
      return integration;
    };

    // Ids come from the route key, so reordering the route table does not
    // replace routes, which would clash with the routes they replace.
    this.routes = ROUTES.map((route) => {
      const open = route.scope === 'none';
      const id = `Route ${routeKey(route).replaceAll('/', '_')}`;
      const httpRoute = new HttpRoute(this, id, {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integrationOf(route.domain),
        authorizer: open ? new HttpNoneAuthorizer() : authorizer,
      });
      if (open) acknowledgeOpenRoute(httpRoute, route);
      return httpRoute;
    });
  }

  private createStage(props: ApiProps): HttpStage {
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention,
      removalPolicy: props.removalPolicy,
    });
    return this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
  }
}

/**
 * Builds the Lambda authorizer with simple responses. It must see every
 * request, because a key may arrive in x-api-key or in Authorization, and
 * API Gateway returns 401 itself, without calling the authorizer, when
 * any identity source is missing. With no identity source, caching must
 * be off; the authorizer caches key lookups itself, per key id.
 */
function apiKeyAuthorizer(handler: IFunction): HttpLambdaAuthorizer {
  return new HttpLambdaAuthorizer('ApiKeyAuthorizer', handler, {
    responseTypes: [HttpLambdaResponseType.SIMPLE],
    identitySource: [],
    resultsCacheTtl: Duration.seconds(0),
  });
}

function acknowledgeOpenRoute(httpRoute: HttpRoute, route: Route): void {
  Validations.of(httpRoute).acknowledge({
    id: 'AwsSolutions-APIG4',
    reason: `${route.method} ${route.path} takes no API key: ${route.summary}`,
  });
}

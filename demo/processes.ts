import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const SERVICE_SCRIPT = fileURLToPath(new URL('./service.ts', import.meta.url));
const TELEMETRY = fileURLToPath(new URL('./telemetry.ts', import.meta.url));

export interface DemoServiceOptions {
  name: string;
  /** Observatory's base URL, where the OTLP exporters send. */
  endpoint: string;
  protocol: 'protobuf' | 'json';
  downstream?: string;
  /** Extra OTLP exporter headers, such as an API key. */
  headers?: Record<string, string>;
}

export interface DemoService {
  name: string;
  url: string;
  /** Sends SIGTERM, which flushes the SDK, and waits for the exit. */
  stop(): Promise<void>;
}

function exporterHeaders(headers: Record<string, string> = {}): string {
  return Object.entries(headers)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join(',');
}

function waitForReady(child: ChildProcess, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const ready = /READY \S+ (http:\/\/\S+)/.exec(output);
      if (ready?.[1]) resolve(ready[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`demo service ${name} exited with code ${code}`)),
    );
  });
}

/**
 * Starts one demo service in its own Node process, instrumented by the
 * OpenTelemetry SDK, and resolves once it listens on a loopback port.
 */
export async function startDemoService(
  options: DemoServiceOptions,
): Promise<DemoService> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', TELEMETRY, SERVICE_SCRIPT],
    {
      env: {
        ...process.env,
        OTEL_SERVICE_NAME: options.name,
        OTEL_EXPORTER_OTLP_ENDPOINT: options.endpoint,
        OTEL_EXPORTER_OTLP_HEADERS: exporterHeaders(options.headers),
        DEMO_OTLP_PROTOCOL: options.protocol,
        DOWNSTREAM_URL: options.downstream ?? '',
        PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await waitForReady(child, options.name);

  return {
    name: options.name,
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

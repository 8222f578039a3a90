/**
 * `npm run bench`: measures ingest throughput, query latency, AWS call
 * counts and Lambda cold starts, prints a Markdown report and writes the
 * figures to bench/results/<timestamp>.json. See BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchAws } from './aws.js';
import { SIGNALS, type Signal } from './data/samples.js';
import { benchOtherHandlers } from './handlers.js';
import { benchHttpIngest } from './ingest-http.js';
import { benchLambdas } from './lambda.js';
import { benchLayers } from './layers.js';
import { mergeRuns } from './merge.js';
import { machineInfo } from './proc.js';
import { benchQueries } from './query.js';
import { renderReport } from './report.js';
import {
  type BenchFigures,
  type BenchResults,
  type BenchSettings,
  FULL_SETTINGS,
  QUICK_SETTINGS,
} from './results.js';
import { REPO_ROOT } from './root.js';

const SECTIONS = ['http', 'layers', 'queries', 'aws', 'lambda'] as const;
type Section = (typeof SECTIONS)[number];

const HELP = `Usage: npm run bench -- [options]

  --quick           small batches and data sets: about a minute on 2 cores
  --runs N          repeat every section N times and report medians (1)
  --only LIST       comma-separated sections: ${SECTIONS.join(', ')}
  --signals LIST    comma-separated signals for the ingest and AWS
                    sections: ${SIGNALS.join(', ')}
  --profile         run the HTTP ingest servers under node --cpu-prof and
                    list where their CPU time went (slows them down)
  --help            show this text`;

interface Options {
  quick: boolean;
  profile: boolean;
  signals: Signal[];
  runs: number;
  sections: Section[];
}

/** Splits a comma-separated option, rejecting names not in `allowed`. */
function readList<T extends string>(
  text: string,
  allowed: readonly T[],
  option: string,
): T[] {
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!allowed.includes(name as T)) {
      throw new Error(
        `invalid ${option} value ${name}: expected ${allowed.join(', ')}`,
      );
    }
  }
  return names as T[];
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      runs: { type: 'string', default: '1' },
      only: { type: 'string', default: SECTIONS.join(',') },
      signals: { type: 'string', default: SIGNALS.join(',') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(
      `invalid --runs ${values.runs}: expected a whole number from 1`,
    );
  }
  return {
    quick: values.quick,
    profile: values.profile,
    signals: readList(values.signals, SIGNALS, '--signals'),
    runs,
    sections: readList(values.only, SECTIONS, '--only'),
  };
}

const started = performance.now();

function progress(line: string): void {
  const seconds = ((performance.now() - started) / 1_000).toFixed(0);
  process.stderr.write(`[${seconds.padStart(4)} s] ${line}\n`);
}

/** Runs the chosen sections once. */
async function runOnce(
  settings: BenchSettings,
  options: Options,
  profileDir: string | undefined,
): Promise<BenchFigures> {
  const { sections, signals } = options;
  const figures: BenchFigures = {
    http: [],
    profiles: [],
    layers: [],
    datasets: [],
    queries: [],
    aws: [],
    lambdaBaselineMs: Number.NaN,
    lambdas: [],
    handlers: [],
  };
  const has = (section: Section) => sections.includes(section);
  if (has('http')) {
    const http = await benchHttpIngest(
      settings.http,
      signals,
      progress,
      profileDir,
    );
    figures.http = http.cases;
    figures.profiles = http.profiles;
  }
  if (has('layers')) {
    figures.layers = await benchLayers(signals, settings.layers, progress);
  }
  if (has('queries')) {
    for (const dataset of settings.queryDatasets) {
      const { data, results } = await benchQueries(
        dataset.name,
        dataset.size,
        settings.query,
        progress,
      );
      figures.datasets.push({
        name: dataset.name,
        metricPoints: data.metricPoints,
        logRecords: data.logRecords,
        traces: data.traces,
        spans: data.spans,
        loadSeconds: data.loadSeconds,
      });
      figures.queries.push(...results);
    }
  }
  if (has('aws')) figures.aws = await benchAws(signals, settings.aws, progress);
  if (has('lambda')) {
    const lambdas = await benchLambdas(settings.lambda, progress);
    figures.lambdaBaselineMs = lambdas.baselineMs;
    figures.lambdas = lambdas.functions;
    figures.handlers = await benchOtherHandlers(settings.handlerInvocations);
  }
  return figures;
}

const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

/** Turns an ISO time into a file name: no colons or dots. */
const fileStamp = (iso: string) => iso.replace(/[:.]/g, '-');

function writeResults(results: BenchResults): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${fileStamp(results.startedAt)}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

async function main(): Promise<void> {
  const options = readOptions();
  const settings = options.quick ? QUICK_SETTINGS : FULL_SETTINGS;
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  progress(
    `${options.quick ? 'quick' : 'full'} run, load average ` +
      machine.loadAverage.map((v) => v.toFixed(2)).join(' '),
  );
  const runs: BenchFigures[] = [];
  for (let run = 1; run <= options.runs; run++) {
    if (options.runs > 1) progress(`run ${run} of ${options.runs}`);
    const profileDir = options.profile
      ? join(RESULTS_DIR, 'profiles', fileStamp(startedAt), `run-${run}`)
      : undefined;
    runs.push(await runOnce(settings, options, profileDir));
  }
  const results: BenchResults = {
    startedAt,
    mode: options.quick ? 'quick' : 'full',
    profiled: options.profile,
    runs: options.runs,
    sections: options.sections,
    durationSeconds: (performance.now() - started) / 1_000,
    machine,
    loadAverageAtEnd: loadavg(),
    settings,
    figures: {
      ...mergeRuns(runs),
      // Profiles list different functions, so they are kept, not merged.
      profiles: runs.flatMap((run) => run.profiles),
    },
  };
  console.log(renderReport(results));
  progress(`results written to ${writeResults(results)}`);
}

main().catch((error: unknown) => {
  console.error(
    error instanceof Error ? (error.stack ?? error.message) : error,
  );
  process.exit(1);
});

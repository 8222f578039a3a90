import type { AwsResult, AwsSettings } from './aws.js';
import { FORMATS } from './data/wire.js';
import type { HandlerTime } from './handlers.js';
import type {
  HttpIngestCase,
  HttpIngestSettings,
  SignalProfile,
} from './ingest-http.js';
import type { LambdaResult, LambdaSettings } from './lambda.js';
import type { LayerResult, LayerSettings } from './layers.js';
import type { MachineInfo } from './proc.js';
import type { QueryResult, QuerySettings } from './query.js';
import type { QueryDataSize } from './query-data.js';

/** A named query data set and its size. */
export interface QueryDataset {
  name: string;
  size: QueryDataSize;
}

/** Everything one mode of the benchmark runs with. */
export interface BenchSettings {
  http: HttpIngestSettings;
  layers: LayerSettings;
  queryDatasets: QueryDataset[];
  query: QuerySettings;
  aws: AwsSettings;
  lambda: LambdaSettings;
  /** Invocations per non-ingest handler. */
  handlerInvocations: number;
}

/** Counts of one loaded query data set. */
export interface LoadedDataset {
  name: string;
  metricPoints: number;
  logRecords: number;
  traces: number;
  spans: number;
  loadSeconds: number;
}

/** The figures of one run, or the medians of several. */
export interface BenchFigures {
  http: HttpIngestCase[];
  /** CPU profiles of the HTTP ingest servers, with --profile only. */
  profiles: SignalProfile[];
  layers: LayerResult[];
  datasets: LoadedDataset[];
  queries: QueryResult[];
  aws: AwsResult[];
  lambdaBaselineMs: number;
  lambdas: LambdaResult[];
  handlers: HandlerTime[];
}

/** The results file: bench/results/<timestamp>.json. */
export interface BenchResults {
  startedAt: string;
  mode: 'quick' | 'full';
  /** Whether the servers ran under --cpu-prof, which slows them. */
  profiled: boolean;
  runs: number;
  sections: string[];
  durationSeconds: number;
  machine: MachineInfo;
  /** 1, 5 and 15 minute load averages when the run ended. */
  loadAverageAtEnd: number[];
  settings: BenchSettings;
  figures: BenchFigures;
}

export const QUICK_SETTINGS: BenchSettings = {
  http: {
    batchSize: 1_000,
    concurrency: 4,
    warmupRequests: 2,
    measuredRequests: 5,
    // One JSON and one protobuf format per signal: the formats differ by
    // their decoding only, which the full run and the layers show.
    formats: ['api-json', 'otlp-protobuf'],
  },
  layers: { batchSize: 1_000, batches: 3 },
  queryDatasets: [
    {
      name: '100k points, 100k logs, 10k traces',
      size: { metricTimestamps: 10, logCopies: 10, traceCopies: 10 },
    },
  ],
  query: { repeats: 10 },
  aws: { batchSize: 1_000, items: 1_000 },
  lambda: { coldStarts: 3 },
  handlerInvocations: 10,
};

export const FULL_SETTINGS: BenchSettings = {
  http: {
    batchSize: 1_000,
    concurrency: 4,
    warmupRequests: 3,
    measuredRequests: 30,
    formats: FORMATS,
  },
  layers: { batchSize: 1_000, batches: 10 },
  queryDatasets: [
    {
      name: '1M points, 1M logs, 100k traces',
      size: { metricTimestamps: 100, logCopies: 100, traceCopies: 100 },
    },
    {
      name: '10M points',
      size: { metricTimestamps: 1_000, logCopies: 0, traceCopies: 0 },
    },
  ],
  query: { repeats: 40 },
  aws: { batchSize: 1_000, items: 10_000 },
  lambda: { coldStarts: 7 },
  handlerInvocations: 50,
};

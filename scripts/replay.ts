import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  replayRecordsOf,
  replayRequestsOf,
  sendReplay,
} from '#shared/streams/replay.js';

const USAGE = `Usage: npm run replay -- FILE [--url URL] [--firehose-key KEY]

Sends the records of FILE to the Firehose route of a running Observatory
(POST /api/observatory/firehose), as Firehose would deliver them.

FILE is a saved Kinesis event (Records[].kinesis.data), a Firehose request
body (records[].data), a dead letter of the stream functions or an array of
them, or the output of "aws sqs receive-message" on the dead-letter queue.

Options:
  --url URL           base URL of the server (default http://127.0.0.1:8036)
  --firehose-key KEY  the Firehose access key the server checks (default:
                      the OBSERVATORY_FIREHOSE_ACCESS_KEY variable)
  --key KEY           the same as --firehose-key
  --help              show this text`;

const DEFAULT_URL = 'http://127.0.0.1:8036';

interface Options {
  file: string;
  url: string;
  accessKey: string;
}

function readOptions(argv: string[]): Options | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string', default: DEFAULT_URL },
      'firehose-key': { type: 'string' },
      key: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    throw new Error(`expected one FILE, got ${positionals.length}\n\n${USAGE}`);
  }
  const accessKey =
    values['firehose-key'] ??
    values.key ??
    process.env.OBSERVATORY_FIREHOSE_ACCESS_KEY;
  if (!accessKey) {
    throw new Error(
      'missing Firehose access key: pass --firehose-key or set ' +
        'OBSERVATORY_FIREHOSE_ACCESS_KEY to the key the server uses',
    );
  }
  return { file, url: values.url, accessKey };
}

/** Formats a count with its noun, such as `1 record` or `2 records`. */
function count(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}

async function main(argv: string[]): Promise<number> {
  const options = readOptions(argv);
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  const value: unknown = JSON.parse(await readFile(options.file, 'utf8'));
  const records = replayRecordsOf(value);
  const requests = replayRequestsOf(records);
  const responses = await sendReplay(requests, options.url, options.accessKey);

  const failed = responses.filter((response) => response.status !== 200);
  for (const response of failed) {
    const size = count(response.records, 'record');
    console.error(
      `request ${response.requestId} (${size}) failed with ` +
        `${response.status}: ${response.errorMessage}`,
    );
  }
  const sent = responses.length - failed.length;
  console.log(
    `Replayed ${count(records.length, 'record')} in ` +
      `${count(responses.length, 'request')} to ${options.url}: ` +
      `${sent} succeeded, ${failed.length} failed.`,
  );
  return failed.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);

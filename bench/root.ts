import { fileURLToPath } from 'node:url';

/** The repository root, where the server and the benchmark run from. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './root.js';

/** Time of one function in a V8 CPU profile. */
export interface ProfileEntry {
  function: string;
  /** `file:line`, relative to the repository where it is inside it. */
  location: string;
  /** Self time, or total time in {@link ProfileSummary.inclusive}. */
  ms: number;
  /** Share of all sampled time, idle included, in percent. */
  percent: number;
}

/** Self time summed over the files of one package or folder. */
export interface ProfileArea {
  area: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  functions: ProfileEntry[];
  /**
   * Project functions (under shared/, functions/ or infra/) by total
   * time: their own and that of everything they called.
   */
  inclusive: ProfileEntry[];
  areas: ProfileArea[];
}

interface CpuProfileNode {
  id: number;
  children?: number[];
  callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
  };
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function locationOf(frame: CpuProfileNode['callFrame']): string {
  if (!frame.url) return '(native)';
  const path = frame.url.replace(/^file:\/\//, '');
  const file = path.startsWith(REPO_ROOT) ? relative(REPO_ROOT, path) : path;
  return `${file}:${frame.lineNumber + 1}`;
}

/**
 * Names the area a location belongs to: an npm package, a folder of the
 * project two levels deep (`shared/otlp`), Node's own code, or V8's
 * pseudo-frames such as (garbage collector) and (idle).
 */
function areaOf(location: string, name: string): string {
  if (location === '(native)') return name.startsWith('(') ? name : '(native)';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(location);
  if (inPackage?.[1]) return inPackage[1];
  if (location.startsWith('node:')) return 'node';
  const parts = location.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
}

function addTo(map: Map<string, number>, key: string, value: number) {
  map.set(key, (map.get(key) ?? 0) + value);
}

const PROJECT_CODE = /^(shared|functions|infra)\//;

function keyOf(node: CpuProfileNode): string {
  const name = node.callFrame.functionName || '(anonymous)';
  return `${name}\t${locationOf(node.callFrame)}`;
}

/** Maps each node id to its parent's id. */
function parentsOf(nodes: CpuProfileNode[]): Map<number, number> {
  const parents = new Map<number, number>();
  for (const node of nodes) {
    for (const child of node.children ?? []) parents.set(child, node.id);
  }
  return parents;
}

/** Lists the distinct project functions on the stack of a sampled node. */
function projectStack(
  id: number,
  nodes: Map<number, CpuProfileNode>,
  parents: Map<number, number>,
): Set<string> {
  const keys = new Set<string>();
  for (
    let at: number | undefined = id;
    at !== undefined;
    at = parents.get(at)
  ) {
    const node = nodes.get(at);
    if (node && PROJECT_CODE.test(locationOf(node.callFrame))) {
      keys.add(keyOf(node));
    }
  }
  return keys;
}

/** Microseconds per function, per area and per project stack frame. */
interface Totals {
  byFunction: Map<string, number>;
  byArea: Map<string, number>;
  inclusive: Map<string, number>;
  totalUs: number;
}

function totalsOf(profile: CpuProfile): Totals {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = parentsOf(profile.nodes);
  const totals: Totals = {
    byFunction: new Map(),
    byArea: new Map(),
    inclusive: new Map(),
    totalUs: 0,
  };
  for (const [i, id] of profile.samples.entries()) {
    const node = nodes.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node) continue;

    totals.totalUs += us;
    const location = locationOf(node.callFrame);
    const name = node.callFrame.functionName || '(anonymous)';
    addTo(totals.byFunction, keyOf(node), us);
    addTo(totals.byArea, areaOf(location, name), us);
    for (const key of projectStack(id, nodes, parents)) {
      addTo(totals.inclusive, key, us);
    }
  }
  return totals;
}

/**
 * Sums the self time of each function and area in a .cpuprofile file
 * that `node --cpu-prof` wrote, and the total time of project functions,
 * and keeps the `top` largest of each.
 */
export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const totals = totalsOf(profile);
  const percent = (us: number) => (us / totals.totalUs) * 100;
  const largest = (map: Map<string, number>) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  const entries = (map: Map<string, number>): ProfileEntry[] =>
    largest(map).map(([key, us]) => {
      const [name, location] = key.split('\t');
      return {
        function: name ?? '',
        location: location ?? '',
        ms: us / 1_000,
        percent: percent(us),
      };
    });

  return {
    file,
    totalMs: totals.totalUs / 1_000,
    functions: entries(totals.byFunction),
    inclusive: entries(totals.inclusive),
    areas: largest(totals.byArea).map(([area, us]) => ({
      area,
      selfMs: us / 1_000,
      percent: percent(us),
    })),
  };
}

/**
 * Lists the main-thread .cpuprofile files that processes wrote into
 * `dir`. Node names them `CPU.<date>.<time>.<pid>.<thread>.<seq>
 * .cpuprofile`, where thread 0 is the main thread and the others are
 * helpers such as tsx's module loader.
 */
export function profilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /\.\d+\.0\.\d+\.cpuprofile$/.test(name))
    .map((name) => join(dir, name));
}

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './server.js';

/** Self time of one function in a V8 CPU profile. */
export interface ProfileEntry {
  function: string;
  /** `file:line`, relative to the repository where it is inside it. */
  location: string;
  selfMs: number;
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
  areas: ProfileArea[];
}

interface CpuProfileNode {
  id: number;
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
  const shown = path.startsWith(REPO_ROOT) ? relative(REPO_ROOT, path) : path;
  return `${shown}:${frame.lineNumber + 1}`;
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

/**
 * Sums the self time of each function and area in a .cpuprofile file
 * that `node --cpu-prof` wrote, and keeps the `top` largest of each.
 */
export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let totalUs = 0;
  for (const [i, id] of profile.samples.entries()) {
    const node = nodes.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node) continue;
    totalUs += us;
    const location = locationOf(node.callFrame);
    const name = node.callFrame.functionName || '(anonymous)';
    addTo(byFunction, `${name}\t${location}`, us);
    addTo(byArea, areaOf(location, name), us);
  }
  const percent = (us: number) => (us / totalUs) * 100;
  const sorted = (map: Map<string, number>) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    file,
    totalMs: totalUs / 1_000,
    functions: sorted(byFunction).map(([key, us]) => {
      const [name, location] = key.split('\t');
      return {
        function: name ?? '',
        location: location ?? '',
        selfMs: us / 1_000,
        percent: percent(us),
      };
    }),
    areas: sorted(byArea).map(([area, us]) => ({
      area,
      selfMs: us / 1_000,
      percent: percent(us),
    })),
  };
}

/** The .cpuprofile files that a process wrote into `dir`. */
export function profilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(dir, name));
}

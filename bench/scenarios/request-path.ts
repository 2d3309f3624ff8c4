/**
 * Scenario 2: the MCP request path under concurrent load, against GET /health of the same server in the
 * same run. Targets alternate within each round, so drift on a shared machine hits them alike, and the
 * ratio is taken per round before the median.
 */
import autocannon from 'autocannon';
import {
  FULL_LIST_BUDGET,
  inspectorStrict,
  MODEL_FACING_BUDGET,
  toolListBytes,
} from '../../test/helpers/tool-definitions.ts';
import { MCP_HEADERS, rpcBody, type WaitResult } from '../client.ts';
import { figure, type ScenarioResult } from '../report.ts';
import { median, round } from '../stats.ts';
import { type BenchContext, SMALL_IMAGE } from './context.ts';

const MAX_REQUESTS = 25_000;

interface LoadTarget {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  /** Text a good reply contains: a 200 can still carry a JSON-RPC or tool error. */
  expect: string;
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Transport errors, timeouts, non-2xx replies and replies without the expected text. */
  bad: number;
}

async function load(url: string, target: LoadTarget, connections: number, seconds: number): Promise<LoadResult> {
  let bad = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    // A fast machine stops at this count instead, so a run stays bounded in requests as well as time.
    maxOverallRequests: MAX_REQUESTS,
    requests: [
      {
        method: target.method,
        path: target.path,
        ...(target.body && { body: target.body, headers: MCP_HEADERS }),
        onResponse: (_status: number, body: string) => {
          if (!body.includes(target.expect)) bad += 1;
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    bad: bad + result.errors + result.timeouts + result.non2xx,
  };
}

/**
 * What every conversation pays for the tools: the tools/list result as sent, the part a host hands the model
 * (name, description, input schema) and MCP Inspector's --strict portability findings (issue #16's targets;
 * test/e2e/tool-definitions.test.ts holds the same line).
 */
async function toolDefinitions(ctx: BenchContext) {
  const { tools } = (await ctx.client.rpc('tools/list', {})) as { tools: Array<{ name: string }> };
  const bytes = toolListBytes(tools);
  const { findings } = await inspectorStrict(`${ctx.server.url}/mcp`);
  return [
    figure('tools/list result, bytes', bytes.full, 'B', { op: '<=', value: FULL_LIST_BUDGET }),
    figure('model-facing part (name, description, input schema)', bytes.modelFacing, 'B', {
      op: '<=',
      value: MODEL_FACING_BUDGET,
    }),
    figure('MCP Inspector --strict findings', findings, '', { op: '<=', value: 0 }),
  ];
}

export async function requestPath(ctx: BenchContext): Promise<ScenarioResult> {
  const rounds = ctx.quick ? 1 : 3;
  const seconds = ctx.quick ? 1 : 10;
  const connections = ctx.quick ? 4 : 16;
  await ctx.client.setVars({ PLACEHOLDER_DELAY_MS: '0' });
  const done = await ctx.client.callTool<WaitResult>('generate_image_and_wait', { prompt: 'status', ...SMALL_IMAGE });
  const jobId = done.job_ids[0]!;
  const targets: LoadTarget[] = [
    { name: 'GET /health', method: 'GET', path: '/health', expect: '"ok"' },
    { name: 'tools/list', method: 'POST', path: '/mcp', body: rpcBody('tools/list', {}), expect: '"tools"' },
    {
      name: 'get_job_status',
      method: 'POST',
      path: '/mcp',
      body: rpcBody('tools/call', { name: 'get_job_status', arguments: { job_id: jobId } }),
      expect: '"status":"completed"',
    },
  ];
  // Warm every path once (JIT, lazy imports) before anything is timed.
  for (const t of targets) await load(ctx.server.url, t, connections, 1);
  const byTarget = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const t of targets) {
      const result = await load(ctx.server.url, t, connections, seconds);
      if (result.bad > 0) throw new Error(`${t.name}: ${result.bad} of ${result.requests} replies were errors`);
      byTarget.get(t.name)!.push(result);
      ctx.log(`  ${t.name}: ${Math.round(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms`);
    }
  }
  const health = byTarget.get('GET /health')!;
  const figures = targets.flatMap((t) => {
    const results = byTarget.get(t.name)!;
    const rps = median(results.map((x) => x.rps));
    const p50 = median(results.map((x) => x.p50));
    const p99 = median(results.map((x) => x.p99));
    const rows = [
      figure(`${t.name} throughput`, round(rps, 0), 'req/s'),
      figure(`${t.name} latency p50`, p50, 'ms'),
      figure(`${t.name} latency p99`, p99, 'ms'),
    ];
    if (t !== targets[0]) {
      const ratio = median(results.map((x, i) => x.rps / health[i]!.rps));
      rows.push(figure(`${t.name} ÷ /health throughput`, round(ratio, 2), '×', { op: '>=', value: 0.8 }));
    }
    return rows;
  });
  figures.push(...(await toolDefinitions(ctx)));
  const total = [...byTarget.values()].flat().reduce((n, x) => n + x.requests, 0);
  return {
    id: 2,
    title: 'MCP request path',
    status: 'ok',
    figures,
    notes: [
      `${connections} connections × ${seconds} s per target, ${rounds} alternating rounds (medians), ${total} requests; ` +
        'autocannon runs on the same 2-core machine as the server',
    ],
    details: { connections, seconds, rounds, results: Object.fromEntries(byTarget) },
  };
}

/**
 * `groupnas serve`: a local, read-only web app over the run directories under `--runs` (fastify).
 *
 *   GET /                               the runs table (pages: /run?id=…, /compare?a=…&b=…, /infer?id=…)
 *   GET /assets/<name>                  the pages' scripts and styles, from the package (works offline)
 *   GET /api/runs                       every run's summary
 *   GET /api/runs/<id>                  one run's view (search, training, teacher, reproduction); 422 with the
 *                                       partial view when some of its files cannot be read (summary.problems)
 *   GET /api/runs/<id>/events           the same view as server-sent events, sent again whenever it changes
 *   GET /api/runs/<id>/files/<path>     a file of the run, as it is on disk
 *   GET /api/runs/<id>/test-images      test images of the data set a model of the run was trained on
 *   GET /api/runs/<id>/model-latency    that model's latency measured in Node (wasm engine, batch 1)
 *
 * `<id>` is the run's path under `--runs`, URL-encoded as one segment. Every path goes through
 * RunsRoot (run-path.ts: no traversal, no symlink escape); every error is answered with a status
 * and a JSON `{ error }`, and the server goes on. It binds 127.0.0.1 unless told otherwise, and
 * then answers only requests addressed to 127.0.0.1 or localhost.
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { GroupnasError, UsageError } from '../util/errors.js';
import { PACKAGE_ROOT } from '../util/version.js';
import { nodeLatencyOf, testImagesFor } from './model-service.js';
import { listRuns, runView } from './run-list.js';
import { RunRequestError, RunsRoot } from './run-path.js';

export interface DashboardOptions {
  /** The directory whose runs are shown. */
  runs: string;
  /** Default 127.0.0.1: nothing beyond this machine sees the runs unless asked. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** How often a page's live view looks at the run's files (default 1000 ms). */
  pollMs?: number;
  /** Where the built pages are (default: dist/serve/assets of the package). */
  assetsDir?: string;
}

export interface Dashboard {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export const ASSETS_DIR = join(PACKAGE_ROOT, 'dist', 'serve', 'assets');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.md': 'text/markdown; charset=utf-8',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
};
const contentType = (name: string) => CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';

/** The pages may load only what this server serves; wasm needs its own permission. */
const PAGE_POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
/** A run file opened directly (an SVG, report.md) runs no script. */
const FILE_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:";

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

const PAGES: Record<string, string> = { '/': 'index.html', '/run': 'run.html', '/compare': 'compare.html', '/infer': 'infer.html' };

/** The built assets by name, listed once: requests pick from this list, never build a path. */
function assetTable(dir: string): Map<string, string> {
  if (!existsSync(dir)) throw new GroupnasError(`dashboard assets not found in ${dir}: build them with \`npm run build\``);
  return new Map(
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [e.name, join(dir, e.name)]),
  );
}

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof RunRequestError) return reply.code(err.status).send({ error: err.message });
  if (err instanceof GroupnasError) return reply.code(422).send({ error: err.message });
  const status = (err as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return reply.code(status).send({ error: (err as Error).message });
  process.stderr.write(`groupnas serve: ${(err as Error)?.stack ?? String(err)}\n`);
  return reply.code(500).send({ error: 'internal error (logged by the server)' });
}

type IdRequest = FastifyRequest<{ Params: { id: string; '*'?: string }; Querystring: Record<string, string | undefined> }>;

/** The run file a model query names (default: the run's model.gnb). */
function modelFile(root: RunsRoot, req: IdRequest): string {
  const model = req.query.model ?? 'model.gnb';
  if (!model.endsWith('.gnb')) throw new RunRequestError(400, `model: expected a .gnb file of the run, got ${model}`);
  return root.resolve(`${req.params.id}/${model}`, 'file', 'model');
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const root = new RunsRoot(options.runs);
  const assets = assetTable(options.assetsDir ?? ASSETS_DIR);
  const pollMs = options.pollMs ?? 1000;
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 2048 } });
  // Open event streams, ended on close (the server would otherwise wait for their clients to leave).
  const streams = new Set<() => void>();

  app.setErrorHandler((err, _req, reply) => sendError(reply, err));
  // Bound to this machine, answer only requests addressed to it: a web page elsewhere that points
  // its own host name at 127.0.0.1 (DNS rebinding) must not read the runs.
  const host = options.host ?? '127.0.0.1';
  if (LOOPBACK.has(host)) {
    app.addHook('onRequest', async (req) => {
      const name = (req.headers.host ?? '').replace(/:\d+$/, '');
      if (!LOOPBACK.has(name)) throw new RunRequestError(403, `Host ${name.slice(0, 100)}: this dashboard answers requests to 127.0.0.1 or localhost only`);
    });
  }
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `not found: ${req.url.slice(0, 200)}` }));
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    // Cross-origin isolation: the browser then times with microseconds, not its coarse 0.1 ms
    // (the inference page measures a model's latency); everything here is same-origin anyway.
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-embedder-policy', 'require-corp');
  });

  const page = (name: string) => async (_req: FastifyRequest, reply: FastifyReply) => {
    const file = assets.get(name);
    if (file === undefined) throw new RunRequestError(404, `page ${name} is not built`);
    return reply.type(contentType(name)).header('content-security-policy', PAGE_POLICY).header('cache-control', 'no-cache').send(createReadStream(file));
  };
  for (const [route, name] of Object.entries(PAGES)) app.get(route, page(name));
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());

  app.get('/assets/:name', async (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const file = assets.get(req.params.name);
    if (file === undefined) throw new RunRequestError(404, `asset ${req.params.name.slice(0, 100)}: not found`);
    return reply.type(contentType(file)).header('cache-control', 'no-cache').send(createReadStream(file));
  });

  app.get('/api/runs', async () => ({ runs: listRuns(root) }));
  app.get('/api/runs/:id', async (req: IdRequest, reply) => {
    const view = runView(root, req.params.id);
    const { problems } = view.summary;
    if (problems.length === 0) return view;
    // The status says the run is damaged; the body still carries what could be read, and the page shows both.
    const error = `run ${req.params.id}: ${problems.length} unreadable file(s): ${problems.map((p) => p.file).join(', ')}`;
    return reply.code(422).send({ ...view, error });
  });

  app.get('/api/runs/:id/files/*', async (req: IdRequest, reply) => {
    const path = req.params['*'] ?? '';
    const file = root.resolve(`${req.params.id}/${path}`, 'file', 'file');
    return reply.type(contentType(file)).header('content-security-policy', FILE_POLICY).send(createReadStream(file));
  });

  app.get('/api/runs/:id/test-images', async (req: IdRequest) =>
    testImagesFor(modelFile(root, req), Number(req.query.offset ?? 0), Number(req.query.count ?? 100)),
  );
  app.get('/api/runs/:id/model-latency', async (req: IdRequest) => nodeLatencyOf(modelFile(root, req)));

  app.get('/api/runs/:id/events', async (req: IdRequest, reply) => {
    const id = req.params.id;
    let last = JSON.stringify(runView(root, id)); // an unknown run is an error status, not an empty stream
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    res.write(`retry: ${Math.max(1000, pollMs)}\nevent: update\ndata: ${last}\n\n`);
    let beats = 0;
    const stop = () => {
      clearInterval(timer);
      streams.delete(end);
    };
    const end = () => {
      stop();
      res.end();
    };
    const timer = setInterval(() => {
      try {
        const now = JSON.stringify(runView(root, id));
        if (now !== last) res.write(`event: update\ndata: ${now}\n\n`);
        else if (++beats % 15 === 0) res.write(': still here\n\n');
        last = now;
      } catch (err) {
        // The run was deleted (or became unreadable) while viewed: say so once and end the stream.
        const message = err instanceof GroupnasError ? err.message : 'the run can no longer be read';
        if (!(err instanceof GroupnasError)) process.stderr.write(`groupnas serve: ${(err as Error)?.stack ?? String(err)}\n`);
        res.write(`event: gone\ndata: ${JSON.stringify({ error: message })}\n\n`);
        end();
      }
    }, pollMs);
    streams.add(end);
    req.raw.on('close', stop);
  });

  let address: string;
  try {
    address = await app.listen({ host, port: options.port ?? 8080 });
  } catch (err) {
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`--port ${options.port ?? 8080}: already in use; choose another port, or --port 0 for any free one`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`--host ${options.host}: not an address of this machine`);
    throw err;
  }
  return {
    url: address,
    app,
    close: async () => {
      for (const end of [...streams]) end();
      await app.close();
    },
  };
}

// The daemon's HTTP server on 127.0.0.1 (see http-app.ts for what it serves).
// It listens at once; the app (Hono, the MCP SDK) is loaded on the first
// request, so a daemon no agent talks to over HTTP does not carry it (~9 MiB).
import { serve, type ServerType } from '@hono/node-server';
import type { ApiContext } from '../api/context.js';

export type HttpServer = { url: string; close: () => Promise<void> };

/** Listens on 127.0.0.1:port (0: any free port); when it cannot (the port taken), why, said in one line. */
export function serveHttp(ctx: ApiContext, port: number, log: (line: string) => void): Promise<HttpServer | { problem: string }> {
  let app: Promise<{ fetch: (req: Request) => Response | Promise<Response> }> | null = null;
  const fetch = async (req: Request) => (await (app ??= import('./http-app.js').then(({ httpApp }) => httpApp(ctx, log)))).fetch(req);
  return new Promise((resolve) => {
    let server: ServerType;
    const onError = (e: NodeJS.ErrnoException) => {
      const problem = `not serving on 127.0.0.1:${port} (${e.code === 'EADDRINUSE' ? 'the port is taken' : e.message}); set http.port in config.yaml (0 picks a free one)`;
      log(`http: ${problem}`);
      resolve({ problem });
    };
    server = serve({ fetch, port, hostname: '127.0.0.1' }, (info) => {
      server.off('error', onError);
      const url = `http://127.0.0.1:${info.port}`;
      log(`http: MCP at ${url}/mcp`);
      resolve({ url, close: () => new Promise<void>((r) => server.close(() => r())) });
    });
    server.once('error', onError);
  });
}

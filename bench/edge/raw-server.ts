/**
 * The floor of section 2: a bare `node:http` server answering `/health` with the kit's body
 * (`{"status":"ok"}`, application/json), in a process of its own like each service. Run built
 * (`node dist/raw-server.mjs`), as the services are. PORT and HOST from the environment.
 */
import { createServer } from 'node:http';

const body = JSON.stringify({ status: 'ok' });
const server = createServer((_request, response) => {
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});

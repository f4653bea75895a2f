// @tus/server with @tus/file-store as its documentation sets it up: a plain Node.js HTTP server, uploads under
// /files/, data in the directory given. The bench's tus client drives it exactly as it drives the gateway's tus
// front; this server only writes files, so it is the floor a forwarding tus server is compared with.
// Usage: node server.mjs PORT DATA_DIRECTORY
import http from 'node:http';
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';

const [port, directory] = process.argv.slice(2);
if (!port || !directory) {
  console.error('usage: node server.mjs PORT DATA_DIRECTORY');
  process.exit(2);
}
const tus = new Server({ path: '/files', datastore: new FileStore({ directory }) });
const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200).end('ok');
    return;
  }
  tus.handle(req, res);
});
server.keepAliveTimeout = 600_000;
server.listen(Number(port), '127.0.0.1', () => console.log(`tus-peer listening on 127.0.0.1:${port}`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

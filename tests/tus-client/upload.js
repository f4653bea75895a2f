// Drives the unmodified tus-js-client (from npm) for the gateway's tests: one scenario per run, told by a
// JSON argument; prints one JSON line with what happened. Never retries by itself beyond what tus-js-client does.
'use strict';
const fs = require('fs');
const tus = require('tus-js-client');

const args = JSON.parse(process.argv[2]);
const file = fs.readFileSync(args.file);

function options(extra) {
  return Object.assign({
    endpoint: args.endpoint,
    headers: { Authorization: 'Bearer ' + args.key },
    metadata: args.metadata || {},
    retryDelays: args.retryDelays || [500, 1000, 2000, 3000, 5000],
    removeFingerprintOnSuccess: true,
  }, args.chunkSize ? { chunkSize: args.chunkSize } : {}, args.parallelUploads ? { parallelUploads: args.parallelUploads } : {}, extra);
}

function run() {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(file, options({
      onSuccess: () => resolve(upload),
      onError: (e) => reject(e),
    }));
    upload.start();
  });
}

async function main() {
  switch (args.scenario) {
    case 'upload': {
      const upload = await run();
      return { url: upload.url };
    }
    case 'abort': {
      // Starts, and once some bytes are in, terminates the upload (abort(true): DELETE).
      let url = null;
      await new Promise((resolve, reject) => {
        const upload = new tus.Upload(file, options({
          onError: reject,
          onSuccess: () => reject(new Error('finished before it could be aborted')),
          onProgress: (sent) => {
            if (sent >= args.abortAfter && url === null) {
              url = upload.url;
              upload.abort(true).then(resolve, reject);
            }
          },
        }));
        upload.start();
      });
      return { url };
    }
    case 'interrupt': {
      // Sends to the first endpoint until abortAfter bytes have left, stops without terminating, then
      // resumes the same upload through the second endpoint: tus-js-client HEADs it there and goes on.
      let url = null;
      await new Promise((resolve, reject) => {
        const upload = new tus.Upload(file, options({
          onError: reject,
          onSuccess: () => reject(new Error('finished before it could be interrupted')),
          onProgress: (sent) => {
            if (sent >= args.abortAfter && url === null) {
              url = upload.url;
              upload.abort(false).then(resolve, reject);
            }
          },
        }));
        upload.start();
      });
      const path = new URL(url).pathname;
      const resumedAt = new URL(path, args.resumeEndpoint).toString();
      let offsetAtResume = null;
      const resumed = await new Promise((resolve, reject) => {
        const upload = new tus.Upload(file, options({
          endpoint: args.resumeEndpoint,
          uploadUrl: resumedAt,
          onError: reject,
          onSuccess: () => resolve(upload),
          onProgress: (sent) => { if (offsetAtResume === null) offsetAtResume = sent; },
        }));
        upload.start();
      });
      return { url: resumed.url, firstUrl: url };
    }
    case 'gated': {
      // Uploads, stopping before the first PATCH past each gate's `after` bytes (acknowledged) until the file
      // `open` exists; it writes `open + ".reached"` when it stops there. The test changes the servers meanwhile
      // (a replica killed, another stopped) and the upload goes on through tus-js-client's own requests.
      const gates = args.gates.slice();
      let acknowledged = 0;
      const upload = await new Promise((resolve, reject) => {
        const upload = new tus.Upload(file, options({
          onError: reject,
          onSuccess: () => resolve(upload),
          onChunkComplete: (chunk, accepted) => { acknowledged = accepted; },
          onBeforeRequest: async (req) => {
            while (req.getMethod() === 'PATCH' && gates.length > 0 && acknowledged >= gates[0].after) {
              const gate = gates.shift();
              fs.writeFileSync(gate.open + '.reached', String(acknowledged));
              while (!fs.existsSync(gate.open)) {
                await new Promise((r) => setTimeout(r, 50));
              }
            }
          },
        }));
        upload.start();
      });
      return { url: upload.url };
    }
    default:
      throw new Error('unknown scenario ' + args.scenario);
  }
}

main().then(
  (result) => { process.stdout.write(JSON.stringify(Object.assign({ ok: true }, result)) + '\n'); },
  (error) => { process.stdout.write(JSON.stringify({ ok: false, error: String(error && error.message || error) }) + '\n'); process.exitCode = 1; });

// Uploads one file with an official Box SDK whose upload URL is the gateway's Box front, and prints the
// committed file as JSON on stdout. Driven by tests/Gateway.Tests/Api/Box/BoxSdkTests.cs.
//   BOX_TOKEN=<gateway API key> node upload.js <v10|v3> <gateway base URL> <file> <folder id> <file name>
'use strict';
const fs = require('fs');

const [sdk, gateway, path, folderId, fileName] = process.argv.slice(2);
const token = process.env.BOX_TOKEN;
const size = fs.statSync(path).size;

async function withV10() {
  const { BoxClient, BoxDeveloperTokenAuth } = require('box-node-sdk');
  // The SDK appends /2.0/files/upload_sessions to uploadUrl, then follows the session_endpoints it is given.
  const client = new BoxClient({ auth: new BoxDeveloperTokenAuth({ token }) }).withCustomBaseUrls({
    baseUrl: gateway + '/box',
    uploadUrl: gateway + '/box/api',
    oauth2Url: gateway + '/box/oauth2',
  });
  return client.chunkedUploads.uploadBigFile(fs.createReadStream(path), fileName, size, folderId);
}

async function withV3() {
  const BoxSDK = require('box-node-sdk-v3');
  const box = new BoxSDK({
    clientID: 'gateway', clientSecret: 'unused', apiRootURL: gateway + '/box', uploadAPIRootURL: gateway + '/box/api',
    // The SDK's default agent is https-only; the gateway here listens on plain http on loopback.
    request: { agentClass: require('http').Agent, agentOptions: { keepAlive: true } },
  });
  const client = box.getBasicClient(token);
  const uploader = await client.files.getChunkedUploader(folderId, size, fileName, fs.createReadStream(path), { parallelism: 4 });
  const committed = await uploader.start();
  return committed.entries[0];
}

(sdk === 'v3' ? withV3() : withV10()).then(
  (file) => process.stdout.write(JSON.stringify(file) + '\n'),
  (error) => {
    process.stderr.write(String(error && (error.stack || error.message) || error) + '\n');
    if (error && error.responseInfo) process.stderr.write(JSON.stringify(error.responseInfo.body) + '\n');
    process.exit(1);
  });

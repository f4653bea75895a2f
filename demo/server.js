// The demo's "app server": serves the page and mints an upload token for it with the API key, which never
// leaves this process. In a real app this is your backend, and it decides per user what the token allows.
//   GATEWAY_URL (http://127.0.0.1:5080), GATEWAY_API_KEY (dev-gateway-key), PORT (5090),
//   DEMO_SCOPE (JSON of the token's backend and target; default: sandbox sb_dev00001 under /workspace/uploads/demo)
const http = require('node:http')
const fs = require('node:fs')
const path = require('node:path')

const gateway = (process.env.GATEWAY_URL || 'http://127.0.0.1:5080').replace(/\/$/, '')
const apiKey = process.env.GATEWAY_API_KEY || 'dev-gateway-key'
const port = Number(process.env.PORT || 5090)
const scope = JSON.parse(process.env.DEMO_SCOPE ||
  '{"backend":"sandbox","target":{"sandbox_id":"sb_dev00001","path_prefix":"/workspace/uploads/demo"}}')
const publicDir = path.join(__dirname, 'public')
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' }

async function mint() {
  const response = await fetch(`${gateway}/v1/upload-tokens`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...scope, max_bytes: 1024 ** 3, max_uploads: 20, expires_in: 3600, conflict: 'replace' }),
  })
  const body = await response.text()
  if (response.status !== 201) throw new Error(`the gateway refused to mint: ${response.status} ${body}`)
  return { ...JSON.parse(body), endpoint: `${gateway}/tus/` }
}

const server = http.createServer(async (request, response) => {
  try {
    if (request.method === 'POST' && request.url === '/token') {
      // Here a real app checks its own user's session before minting.
      const token = await mint()
      response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
      response.end(JSON.stringify(token))
      return
    }
    const name = request.url === '/' ? 'index.html' : decodeURIComponent(request.url.split('?')[0].slice(1))
    const file = path.join(publicDir, name)
    if (request.method !== 'GET' || !file.startsWith(publicDir + path.sep) || !fs.existsSync(file)) {
      response.writeHead(404).end('not found')
      return
    }
    response.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream' })
    fs.createReadStream(file).pipe(response)
  } catch (error) {
    response.writeHead(502, { 'Content-Type': 'text/plain' }).end(error.message)
  }
})
server.listen(port, '127.0.0.1', () => console.log(`demo listening on http://localhost:${server.address().port}/`))

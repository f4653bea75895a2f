// One headless Chromium (Debian's, driven by puppeteer-core) for a test class, and a page origin of its own.
// Serves http://localhost:<port>/ (a blank page that loads tus-js-client's unmodified browser bundle), then
// takes one JSON command per stdin line and answers one JSON line on stdout: {"id", "ok", "value"|"error"}. The page's console goes to stderr, for the test's failure messages.
const http = require('node:http')
const fs = require('node:fs')
const path = require('node:path')
const readline = require('node:readline')
const puppeteer = require('puppeteer-core')

const tusBundle = require.resolve('tus-js-client/dist/tus.min.js')
const blank = '<!doctype html><html><head><meta charset="utf-8"><title>page</title><script src="/tus.min.js"></script></head><body><input type="file" id="file"></body></html>'

function serve(request, response) {
  const url = request.url.split('?')[0]
  if (url === '/' || url === '/index.html') {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(blank)
  } else if (url === '/tus.min.js') {
    response.writeHead(200, { 'Content-Type': 'text/javascript' })
    fs.createReadStream(tusBundle).pipe(response)
  } else {
    response.writeHead(404).end()
  }
}

async function main() {
  const server = http.createServer(serve)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://localhost:${server.address().port}`
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir: fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'gateway-browser-')),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run',
      '--disable-sync', '--disable-quic', '--window-size=1100,900'],
  })
  let page = null
  async function newPage() {
    if (page) await page.close()
    page = await browser.newPage()
    await page.setViewport({ width: 1100, height: 900 })
    page.on('console', (message) => process.stderr.write(`[page ${message.type()}] ${message.text()}\n`))
    page.on('pageerror', (error) => process.stderr.write(`[page error] ${error.message}\n`))
    return page
  }
  await newPage()

  const ops = {
    origin: async () => origin,
    goto: async ({ url }) => { await page.goto(new URL(url, origin).toString(), { waitUntil: 'load' }); return page.url() },
    newPage: async () => { await newPage(); return true },
    reload: async () => { await page.reload({ waitUntil: 'load' }); return page.url() },
    // script: the body of an async function; its return value comes back as JSON.
    eval: async ({ script }) => page.evaluate(`(async () => { ${script} })()`),
    waitFor: async ({ script, timeout }) => {
      await page.waitForFunction(script, { timeout: timeout ?? 30000, polling: 100 })
      return true
    },
    upload: async ({ selector, files }) => {
      const input = await page.waitForSelector(selector, { timeout: 30000 })
      await input.uploadFile(...files)
      return true
    },
    click: async ({ selector }) => { await page.click(selector); return true },
    screenshot: async ({ file }) => { await page.screenshot({ path: file, fullPage: true }); return file },
  }

  process.stdout.write(JSON.stringify({ id: 0, ok: true, value: origin }) + '\n')
  const lines = readline.createInterface({ input: process.stdin })
  for await (const line of lines) {
    if (!line.trim()) continue
    const command = JSON.parse(line)
    let answer
    try {
      answer = { id: command.id, ok: true, value: (await ops[command.op](command)) ?? null }
    } catch (error) {
      answer = { id: command.id, ok: false, error: String(error && error.stack || error) }
    }
    process.stdout.write(JSON.stringify(answer) + '\n')
  }
  await browser.close()
  server.close()
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ id: 0, ok: false, error: String(error && error.stack || error) }) + '\n')
  process.exit(1)
})

// The demo page: Uppy's Dashboard uploading straight to the gateway's tus front with an upload token its own
// app server (server.js) minted with the API key. The page never sees the key; the token allows uploads into
// one folder only, up to a size, for an hour at most.
import Uppy from '@uppy/core'
import Dashboard from '@uppy/dashboard'
import Tus from '@uppy/tus'
import '@uppy/core/css/style.min.css'
import '@uppy/dashboard/css/style.min.css'

const TOKEN_KEY = 'upload-gateway-demo-token'

// One token per browser tab until shortly before it expires: resuming after a reload needs the token that
// created the upload (a token sees only its own uploads), so it is kept across reloads.
async function token() {
  const kept = JSON.parse(localStorage.getItem(TOKEN_KEY) || 'null')
  if (kept && Date.parse(kept.expires_at) - Date.now() > 60_000) return kept
  const response = await fetch('/token', { method: 'POST' })
  if (!response.ok) throw new Error(`the app server could not mint a token: ${response.status} ${await response.text()}`)
  const minted = await response.json()
  localStorage.setItem(TOKEN_KEY, JSON.stringify(minted))
  return minted
}

// Where a file goes, from the token's own scope: a sandbox folder (path_prefix) or a Box folder (folder_id).
function metadataFor(scope, file) {
  const t = scope.target
  const where = t.path_prefix
    ? { sandbox_id: t.sandbox_id, path: `${t.path_prefix}/${file.name}` }
    : { folder_id: t.folder_id, filename: file.name }
  return { backend: scope.backend, conflict: scope.conflict, filetype: file.type || 'application/octet-stream', ...where }
}

function show(text) {
  const line = document.createElement('li')
  line.textContent = text
  document.getElementById('landed').append(line)
}

async function main() {
  const grant = await token()
  document.getElementById('scope').textContent =
    `${grant.scope.backend} ${JSON.stringify(grant.scope.target)}, up to ${grant.scope.max_bytes} bytes, until ${new Date(grant.expires_at).toLocaleTimeString()}`
  const uppy = new Uppy({ restrictions: { maxFileSize: grant.scope.max_bytes }, autoProceed: false })
    .use(Dashboard, { inline: true, target: '#uploader', height: 420, proudlyDisplayPoweredByUppy: false, showProgressDetails: true })
    .use(Tus, {
      endpoint: grant.endpoint,
      headers: { Authorization: `Bearer ${grant.token}` },
      chunkSize: 4 * 1024 * 1024,
      retryDelays: [0, 1000, 3000],
      // Only these metadata keys go to the gateway (the tus front reads backend, sandbox_id, path, folder_id…).
      allowedMetaFields: ['backend', 'conflict', 'filetype', 'sandbox_id', 'path', 'folder_id', 'filename'],
    })
  uppy.on('file-added', (file) => uppy.setFileMeta(file.id, metadataFor(grant.scope, file)))
  uppy.on('upload-success', async (file, response) => {
    // The tus upload is a gateway session: its id is the last segment of the upload URL.
    const id = response.uploadURL.split('/').pop()
    const answer = await fetch(`${new URL(grant.endpoint).origin}/v1/uploads/${id}`, { headers: { Authorization: `Bearer ${grant.token}` } })
    const session = await answer.json()
    const landed = session.result?.path ? `${session.target.sandbox_id}:${session.result.path}` : `Box file ${session.result?.file_id}`
    show(`${file.name}: ${session.status}, ${session.content_length} bytes → ${landed}`)
  })
  uppy.on('upload-error', (file, error) => show(`${file.name}: ${error.message}`))
  window.demo = { uppy, grant }
}

main().catch((error) => {
  document.getElementById('scope').textContent = error.message
})

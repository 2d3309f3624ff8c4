/**
 * The gallery as an MCP App (SEP-1865): a `ui://` HTML resource that hosts able to render apps show in a
 * sandboxed iframe next to a show_image or gallery_link result. Self-contained (inline script and style, no
 * external code); it talks to the host by JSON-RPC over postMessage: ui/initialize, then it draws the images
 * of each ui/notifications/tool-result it is sent (structuredContent.image, .images or .jobs).
 */
export const GALLERY_APP_URI = 'ui://imagegen/gallery';
export const MCP_APP_MIME_TYPE = 'text/html;profile=mcp-app';

/**
 * The MCP Apps extension id (`EXTENSION_ID` of @modelcontextprotocol/ext-apps 2.x). A host declares it with the
 * app MIME types it renders; a server needs no advertisement, and 2026-07-28 servers list their extensions in
 * server/discover, so this one says it offers an app there. Hosts without apps get the same text results.
 */
export const APPS_EXTENSION = 'io.modelcontextprotocol/ui';

/** The tool-side link, under the spec's key and the flat key earlier hosts read; hosts without apps ignore both. */
export const GALLERY_APP_META = { ui: { resourceUri: GALLERY_APP_URI }, 'ui/resourceUri': GALLERY_APP_URI };

const SCRIPT = String.raw`
(() => {
  const grid = document.getElementById('grid');
  const note = document.getElementById('note');
  const pending = new Map();
  let nextId = 1;
  const post = (message) => window.parent.postMessage({ jsonrpc: '2.0', ...message }, '*');
  const request = (method, params) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      post({ id, method, params });
    });

  function applyContext(context) {
    if (context && (context.theme === 'dark' || context.theme === 'light')) {
      document.documentElement.style.colorScheme = context.theme;
    }
  }

  function imagesOf(result) {
    const data = (result && result.structuredContent) || {};
    const list = [].concat(data.image ? [data.image] : [], data.images || [], data.jobs || []);
    return list.filter((item) => item && typeof item.image_url === 'string' && /^https?:/.test(item.image_url));
  }

  function openLink(url) {
    request('ui/open-link', { url }).catch(() => window.open(url, '_blank', 'noopener'));
  }

  function render(result) {
    const images = imagesOf(result);
    grid.replaceChildren();
    for (const image of images) {
      const figure = document.createElement('figure');
      const img = document.createElement('img');
      img.src = image.image_url;
      img.alt = image.prompt || '';
      img.loading = 'lazy';
      img.addEventListener('click', () => openLink(image.image_url));
      const caption = document.createElement('figcaption');
      caption.textContent = image.prompt || image.job_id || '';
      const size = document.createElement('small');
      if (image.width && image.height) size.textContent = image.width + '×' + image.height;
      caption.append(size);
      figure.append(img, caption);
      grid.append(figure);
    }
    const data = (result && result.structuredContent) || {};
    note.replaceChildren();
    if (typeof data.url === 'string' && /^https?:/.test(data.url)) {
      const link = document.createElement('a');
      link.href = data.url;
      link.textContent = 'Open the full gallery';
      link.addEventListener('click', (event) => {
        event.preventDefault();
        openLink(data.url);
      });
      note.append(link);
    } else if (images.length === 0) {
      note.textContent = result && result.isError ? 'The tool reported an error.' : 'No images to show yet.';
    }
  }

  window.addEventListener('message', (event) => {
    if (event.source !== window.parent) return;
    const message = event.data;
    if (!message || message.jsonrpc !== '2.0') return;
    if (message.id !== undefined && !message.method) {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (waiter) message.error ? waiter.reject(message.error) : waiter.resolve(message.result);
      return;
    }
    if (message.method === 'ui/notifications/tool-result') render(message.params);
    else if (message.method === 'ui/notifications/host-context-changed') applyContext(message.params);
    else if (message.id !== undefined) post({ id: message.id, result: {} }); // ping, ui/resource-teardown
  });

  new ResizeObserver(() => {
    const { scrollWidth: width, scrollHeight: height } = document.documentElement;
    post({ method: 'ui/notifications/size-changed', params: { width, height } });
  }).observe(document.body);

  request('ui/initialize', {
    protocolVersion: '2026-01-26',
    appInfo: { name: 'imagegen-gallery', version: '0.1.0' },
    appCapabilities: {},
  })
    .then((result) => {
      applyContext(result && result.hostContext);
      post({ method: 'ui/notifications/initialized' });
    })
    .catch(() => {
      note.textContent = 'This host did not start the app.';
    });
})();
`;

export const GALLERY_APP_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Images</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0; padding: 8px; }
  #grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 8px; }
  figure { margin: 0; }
  img { width: 100%; height: auto; border-radius: 6px; cursor: zoom-in; display: block; }
  figcaption { font-size: 12px; margin-top: 4px; overflow-wrap: anywhere; }
  small { display: block; opacity: 0.7; }
  #note { font-size: 13px; margin-top: 8px; }
</style>
</head>
<body>
<div id="grid"></div>
<p id="note">Loading…</p>
<script>${SCRIPT}</script>
</body>
</html>
`;

/**
 * The gallery's HTML, rendered on the server with Hono JSX (which escapes every interpolated value). The only
 * script and style are inline with a per-response CSP nonce; nothing is loaded from anywhere else.
 */
import { raw } from 'hono/html';
import type { Child, FC, PropsWithChildren } from 'hono/jsx';
import type { DetailData, GalleryPageData } from './page';

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0 auto; max-width: 1200px; padding: 1rem; }
header { display: flex; align-items: baseline; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
h1 { font-size: 1.4rem; margin: 0.5rem 0; }
.note { color: GrayText; font-size: 0.85rem; }
.grid { list-style: none; padding: 0; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); }
.card { border: 1px solid #8884; border-radius: 8px; overflow: hidden; }
.card a { color: inherit; text-decoration: none; display: block; }
.card img { display: block; width: 100%; height: auto; aspect-ratio: 1; object-fit: cover; background: #8882; }
.card .text { padding: 0.5rem 0.75rem 0.75rem; }
.prompt { margin: 0 0 0.4rem; display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; }
.meta { margin: 0; font-size: 0.8rem; color: GrayText; display: flex; flex-wrap: wrap; gap: 0.2rem 0.6rem; }
nav.paging { display: flex; justify-content: space-between; margin: 1rem 0; }
.preview img { max-width: 100%; height: auto; border-radius: 8px; background: #8882; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
`;

/** Reads #token=… (or the form), trades it for a signed link at POST /gallery/link, then goes there. */
const SIGN_IN_SCRIPT = `
(() => {
  const status = document.getElementById('status');
  const input = document.getElementById('token');
  async function open(token) {
    status.textContent = 'Opening your gallery…';
    try {
      const response = await fetch('/gallery/link', { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
      const body = await response.json();
      if (!response.ok) throw new Error((body.error && body.error.message) || 'HTTP ' + response.status);
      location.replace(body.url);
    } catch (error) {
      status.textContent = 'Could not open the gallery: ' + error.message;
    }
  }
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  // Drop the token from the address bar and history before anything else happens.
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  if (token) open(token);
  document.getElementById('sign-in').addEventListener('submit', (event) => {
    event.preventDefault();
    if (input.value.trim()) open(input.value.trim());
  });
})();
`;

export const Layout: FC<PropsWithChildren<{ title: string; nonce: string }>> = ({ title, nonce, children }) => (
  <>
    {raw('<!doctype html>')}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{title}</title>
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>{children}</body>
    </html>
  </>
);

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

const Meta: FC<{ items: Array<Child> }> = ({ items }) => (
  <p class="meta">
    {items.map((item) => (
      <span>{item}</span>
    ))}
  </p>
);

export const GalleryPage: FC<{ data: GalleryPageData; nonce: string }> = ({ data, nonce }) => (
  <Layout title="Image gallery" nonce={nonce}>
    <header>
      <h1>Your images</h1>
      <span class="note">
        This link works until <time datetime={data.expiresAt}>{when(data.expiresAt)}</time>.
      </span>
    </header>
    {data.cards.length === 0 ? (
      <p>{data.newestHref ? 'No older images.' : 'No images yet. Make one with the generate_image tool.'}</p>
    ) : (
      <ul class="grid">
        {data.cards.map((card) => (
          <li class="card" data-id={card.id}>
            <a href={card.href}>
              <img src={card.thumbnailUrl} alt={card.prompt} width="256" height="256" loading="lazy" />
              <div class="text">
                <p class="prompt" title={card.prompt}>
                  {card.prompt}
                </p>
                <Meta
                  items={[
                    `${card.provider ?? 'unknown provider'} · ${card.model ?? 'unknown model'}`,
                    `${card.width}×${card.height}`,
                    <time datetime={card.createdAt}>{when(card.createdAt)}</time>,
                  ]}
                />
              </div>
            </a>
          </li>
        ))}
      </ul>
    )}
    <nav class="paging">
      <span>{data.newestHref && <a href={data.newestHref}>← Newest</a>}</span>
      <span>
        {data.olderHref && (
          <a href={data.olderHref} rel="next">
            Older →
          </a>
        )}
      </span>
    </nav>
  </Layout>
);

export const DetailPage: FC<{ data: DetailData; nonce: string }> = ({ data, nonce }) => {
  const v = data.view;
  const rows: Array<[string, Child]> = [
    ['Prompt', v.prompt],
    ['Negative prompt', v.negative_prompt],
    ['Revised prompt', v.revised_prompt],
    ['Provider', v.provider],
    ['Model', v.model],
    ['Size', `${v.width}×${v.height}`],
    ['Seed', v.seed],
    ['Format', v.content_type],
    ['Bytes', v.bytes],
    ['Created', <time datetime={v.created_at}>{when(v.created_at)}</time>],
    ['Routing', v.route_reason],
    ['Adaptations', v.adaptations.length ? v.adaptations.join('\n') : null],
    ['Estimated cost', v.cost_usd === null ? null : `$${v.cost_usd}`],
    [
      'Provider notes',
      v.provider_metadata
        ? Object.entries(v.provider_metadata)
            .map(([key, value]) => `${key}: ${value}`)
            .join('\n')
        : null,
    ],
    ['Image id', v.job_id],
  ];
  return (
    <Layout title={`Image: ${v.prompt.slice(0, 60)}`} nonce={nonce}>
      <header>
        <h1>Image</h1>
        <a href={data.backHref}>← Back to the gallery</a>
      </header>
      <p class="preview">
        <img src={data.previewUrl} alt={v.prompt} width={Math.min(v.width, 1024)} />
      </p>
      <p>
        <a href={data.originalUrl}>Open the original</a>
      </p>
      <dl>
        {rows
          .filter(([, value]) => value !== null && value !== undefined && value !== '')
          .map(([label, value]) => (
            <>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </>
          ))}
      </dl>
    </Layout>
  );
};

export const MessagePage: FC<{ title: string; message: string; nonce: string }> = ({ title, message, nonce }) => (
  <Layout title={title} nonce={nonce}>
    <h1>{title}</h1>
    <p>{message}</p>
    <p>
      <a href="/gallery">Open the gallery with your access token</a>
    </p>
  </Layout>
);

/** /gallery with no link: the token comes from the URL fragment or the form, never from a query string. */
export const SignInPage: FC<{ nonce: string }> = ({ nonce }) => (
  <Layout title="Image gallery" nonce={nonce}>
    <h1>Image gallery</h1>
    <p>
      Open a link from the <code>gallery_link</code> tool, or sign in with your access token (it is sent only in a
      request header, never in the address).
    </p>
    {/* The input has no name: without the script, submitting the form cannot put the token in a URL. */}
    <form id="sign-in" autocomplete="off">
      <input id="token" type="password" placeholder="Access token" aria-label="Access token" />{' '}
      <button type="submit">Open</button>
    </form>
    <p id="status" role="status" />
    <script nonce={nonce} dangerouslySetInnerHTML={{ __html: SIGN_IN_SCRIPT }} />
  </Layout>
);

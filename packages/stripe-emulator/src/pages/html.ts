// Markup helpers for the hosted pages. Every interpolated value goes through `escapeHtml`:
// product names, emails and URLs come from API callers and must not become markup.
export function escapeHtml(value: string | number | null | undefined): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function formatDate(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

const STYLE = `
  body { font-family: system-ui, sans-serif; background: #f6f9fc; color: #1a1f36; margin: 0; }
  main { max-width: 560px; margin: 40px auto; background: #fff; border-radius: 8px; padding: 32px;
         box-shadow: 0 2px 8px rgba(0,0,0,.08); }
  h1 { font-size: 20px; margin-top: 0; } h2 { font-size: 16px; margin-top: 28px; }
  table { width: 100%; border-collapse: collapse; } td { padding: 6px 0; border-bottom: 1px solid #eee; }
  td.amount { text-align: right; } .total td { font-weight: 600; border-bottom: none; }
  label { display: block; margin: 8px 0; } input[type=email], input[type=text] { width: 100%; padding: 8px; }
  button { background: #635bff; color: #fff; border: 0; border-radius: 6px; padding: 10px 16px;
           font-size: 15px; cursor: pointer; margin: 4px 4px 4px 0; }
  button.secondary { background: #e3e8ee; color: #1a1f36; }
  .error { background: #fde8e8; color: #9b1c1c; padding: 10px; border-radius: 6px; }
  .note { color: #697386; font-size: 13px; } form.inline { display: inline; }
  .banner { background: #fff4e5; color: #8a4b00; padding: 6px 10px; border-radius: 6px; font-size: 13px; }
`;

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main><p class="banner">Stripe emulator — test mode, no real money moves.</p>
${body}</main></body></html>`;
}

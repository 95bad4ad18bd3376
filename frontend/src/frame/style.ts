// The frame's own styles (kept in the bundle: the srcdoc carries no CSS of its own).
export const FRAME_CSS = `
html { background: transparent; }
body { margin: 0; font-family: system-ui, sans-serif; font-size: 14px; color: #202124;
  overflow-x: auto; overflow-y: hidden; }
#output-area > .output, #output-header > .output, #output-footer > .output { margin: 2px 0; }
pre { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px;
  white-space: pre-wrap; word-break: break-word; }
.output > pre { margin: 2px 0; padding: 2px 4px; }  /* as in the page */
.stream-stderr { background: #fdecea; }
.output-error-text { color: #b00020; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ddd; padding: 2px 6px; }
img { max-width: 100%; }
.output-latex { padding: 2px 0; }
.output-truncated { color: #5f6368; font-style: italic; }
/* The page's ANSI colours (style.css). */
.ansi-bold { font-weight: bold; } .ansi-italic { font-style: italic; }
.ansi-underline { text-decoration: underline; }
/* Terminal palette (JupyterLab's light theme values). */
.ansi-black { color: #3e424d; } .ansi-bright-black { color: #5e6371; }
.ansi-red { color: #c33b3b; } .ansi-bright-red { color: #e75c58; }
.ansi-green { color: #00864c; } .ansi-bright-green { color: #00a250; }
.ansi-yellow { color: #b27d12; } .ansi-bright-yellow { color: #c99200; }
.ansi-blue { color: #0065ca; } .ansi-bright-blue { color: #208ffb; }
.ansi-magenta { color: #a03196; } .ansi-bright-magenta { color: #d160c4; }
.ansi-cyan { color: #007e8a; } .ansi-bright-cyan { color: #258f8f; }
.ansi-white { color: #a1a6b2; } .ansi-bright-white { color: #c5c9d2; }
.ansi-bg-black { background: #3e424d; } .ansi-bg-bright-black { background: #5e6371; }
.ansi-bg-red { background: #f5c6c6; } .ansi-bg-bright-red { background: #f9d7d6; }
.ansi-bg-green { background: #c6f0d6; } .ansi-bg-bright-green { background: #d8f5e2; }
.ansi-bg-yellow { background: #f7e7b4; } .ansi-bg-bright-yellow { background: #fbf0c8; }
.ansi-bg-blue { background: #c9defa; } .ansi-bg-bright-blue { background: #dbe9fc; }
.ansi-bg-magenta { background: #ecc8e8; } .ansi-bg-bright-magenta { background: #f3d9f0; }
.ansi-bg-cyan { background: #c3e8ec; } .ansi-bg-bright-cyan { background: #d6f0f2; }
.ansi-bg-white { background: #eceef2; } .ansi-bg-bright-white { background: #f5f6f8; }
`;
